import factory

from actors.models import ActorProfile
from marketplace.tests.factories import UserFactory


class ActorProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActorProfile

    user = factory.SubFactory(UserFactory)
    stage_name = factory.Faker("name")
    slug = factory.Sequence(lambda n: f"actor-{n}")
