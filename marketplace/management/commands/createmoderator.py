from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

from marketplace.services import moderator_grant


class Command(BaseCommand):
    help = "Make the user with this email a moderator, creating the account if needed."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email: str, **options):
        email = email.strip().lower()
        try:
            validate_email(email)
        except ValidationError as exc:
            raise CommandError(f"{email!r} is not a valid email address.") from exc
        User = get_user_model()
        with transaction.atomic():
            user = User.objects.filter(email__iexact=email).first()
            created = user is None
            if user is None:
                # No password: the new moderator sets one through "Forgot password".
                user = User.objects.create_user(email=email, password=None)
                EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
            moderator_grant(user=user)
        if created:
            self.stdout.write(
                self.style.SUCCESS(f"Created moderator {email}.")
                + " Set a password with 'Forgot password' on the sign-in page, then set up two-factor authentication."
            )
        else:
            self.stdout.write(self.style.SUCCESS(f"{email} is a moderator."))
