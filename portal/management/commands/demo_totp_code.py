"""Print the demo moderator's current TOTP code (DEBUG only), for trying the
moderation workplace without an authenticator app at hand."""

import time

from allauth.mfa import app_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from marketplace.models import User
from portal.demo.moderation import demo_totp_secret
from portal.management.commands.seed_demo import DEMO_DOMAIN


class Command(BaseCommand):
    help = "Print the demo moderator's current TOTP code (DEBUG only)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Only with DEBUG on: the demo moderator's second factor is not for real deployments.")
        moderator = User.objects.filter(email=f"moderator@{DEMO_DOMAIN}").first()
        if moderator is None:
            raise CommandError("No demo moderator: run seed_demo first.")
        counter = int(time.time()) // app_settings.TOTP_PERIOD
        self.stdout.write(format_hotp_value(hotp_value(demo_totp_secret(moderator), counter)))
