import factory

from creators.models import CreatorProfile, Project, ShortlistEntry, Shot
from marketplace.categories import ContentCategory
from marketplace.tests.factories import UserFactory


class CreatorProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CreatorProfile

    user = factory.SubFactory(UserFactory)
    display_name = factory.Faker("company")


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    creator = factory.SubFactory(CreatorProfileFactory)
    title = factory.Sequence(lambda n: f"Project {n}")
    logline = "A courier crosses a city that rewrites itself every night."
    category = ContentCategory.FILM
    distribution_channels = factory.LazyFunction(lambda: ["streaming"])


class ShotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shot

    project = factory.SubFactory(ProjectFactory)
    number = factory.Sequence(lambda n: n + 1)
    position = factory.SelfAttribute("number")
    description = factory.Sequence(lambda n: f"Close-up of the courier, take {n}")
    category = ContentCategory.FILM
    likeness_usage = factory.LazyFunction(lambda: ["face"])
    duration_seconds = 12


class ShortlistEntryFactory(factory.django.DjangoModelFactory):
    """An entry for a listed actor (the only kind the service accepts)."""

    class Meta:
        model = ShortlistEntry

    project = factory.SubFactory(ProjectFactory)
    actor = factory.SubFactory("actors.tests.factories.ActorProfileFactory", listed=True)
