import factory
from allauth.account.models import EmailAddress

from marketplace.models import Notification, User
from marketplace.notifications import WELCOME_ACTOR


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        if create:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)
            self.save()


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    kind = WELCOME_ACTOR.key
    event_key = factory.Sequence(lambda n: f"test:{n}")
    params = factory.LazyFunction(lambda: {"name": "Maya"})
    email_status = "not_wanted"
