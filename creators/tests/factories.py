import factory

from creators.models import CreatorProfile
from marketplace.tests.factories import UserFactory


class CreatorProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CreatorProfile

    user = factory.SubFactory(UserFactory)
    display_name = factory.Faker("company")
