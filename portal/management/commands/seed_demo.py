"""Demo data so a newcomer sees a living portal. Safe to run again.

Demo accounts get the shared demo password only when DEBUG is on; otherwise
they are created without a usable password.
"""

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone, translation

from actors.models import ActorProfile, VerificationStatus
from actors.services import (
    actor_opt_in,
    actor_profile_update,
    actor_verification_set,
    photo_renditions_make,
    photo_upload,
    red_lines_update,
)
from creators.models import CreatorProfile
from marketplace.models import ApiToken, api_token_hash
from marketplace.services import moderator_grant
from portal.demo.actors import demo_profile, demo_red_lines, portrait
from portal.demo.contracts import demo_contracts_by_verdict
from portal.demo.moderation import demo_moderation_seed, demo_totp_secret
from portal.demo.requests import demo_requests_seed
from portal.services import onboarding_role_add
from usage_requests.verdicts import VerdictKey, verdict_label

DEMO_PASSWORD = "consentcast-demo"  # noqa: S105 - only set with DEBUG on
# The first demo creator's API token, for the README's curl examples: only
# with DEBUG on, like the password (a real key is random and shown once).
DEMO_API_KEY = "cc_demo-creator1-key-only-with-debug-on"
DEMO_DOMAIN = "demo.consentcast.localhost"
# The last few demo actors stay unverified and off the roster.
UNLISTED_DEMO_ACTORS = 3

ACTOR_NAMES = [
    ("林晓雨", "zh-hans"),
    ("Maya Okafor", "en"),
    ("陈思远", "zh-hans"),
    ("Lucas Moreau", "en"),
    ("王一凡", "zh-hans"),
    ("Aiko Tanaka", "en"),
    ("赵子涵", "zh-hans"),
    ("Daniel Reyes", "en"),
    ("刘若彤", "zh-hans"),
    ("Priya Nair", "en"),
    ("周景明", "zh-hans"),
    ("Sofia Lindqvist", "en"),
    ("黄梓萱", "zh-hans"),
    ("Kwame Mensah", "en"),
    ("吴浩然", "zh-hans"),
    ("Elena Petrova", "en"),
    ("郑佳怡", "zh-hans"),
    ("Mateo García", "en"),
    ("孙天宇", "zh-hans"),
    ("Hana Kim", "en"),
    ("马诗琪", "zh-hans"),
    ("Oliver Brennan", "en"),
    ("胡晨阳", "zh-hans"),
    ("Amara Diallo", "en"),
    ("高雅婷", "zh-hans"),
    ("Jonas Weber", "en"),
    ("何俊杰", "zh-hans"),
    ("Isabella Rossi", "en"),
    ("罗欣然", "zh-hans"),
    ("Noah Fischer", "en"),
]
CREATORS = [
    ("Lumen Pictures", "en"),
    ("北京星河影业", "zh-hans"),
    ("Pixel Harbor Studio", "en"),
    ("上海光年动画", "zh-hans"),
]


class Command(BaseCommand):
    help = (
        "Create (or complete) the demo moderator, creators, actors, projects and requests, "
        "then print the demo licence codes under their verdict (in force first) and the demo logins."
    )

    def handle(self, *args, **options):
        self.created = 0
        with transaction.atomic():
            moderator = self._user("moderator", "en")
            moderator_grant(user=moderator)
            for index, (name, language) in enumerate(CREATORS, start=1):
                user = self._user(f"creator{index}", language)
                if not CreatorProfile.objects.filter(user=user).exists():
                    onboarding_role_add(user=user, role="creator", name=name)
            for index, (name, language) in enumerate(ACTOR_NAMES, start=1):
                user = self._user(f"actor{index}", language)
                if not ActorProfile.objects.filter(user=user).exists():
                    onboarding_role_add(user=user, role="actor", name=name)
                    self._complete_actor(user.actor_profile, index, chinese=language == "zh-hans")
            creators = self._profiles(CreatorProfile, "creator", len(CREATORS))
            actors = self._profiles(ActorProfile, "actor", len(ACTOR_NAMES))
            if demo_requests_seed(creators=creators, actors=actors):
                self.stdout.write("Demo projects, requests, messages and contracts created.")
            demo_moderation_seed(actors=actors, creators=creators)
            totp_secret = demo_totp_secret(moderator)
            if settings.DEBUG:
                self._demo_api_token(creators[0].user)
        self.stdout.write(f"Demo data ready ({self.created} accounts created this run).")
        self._print_licences(creators)
        self._print_logins(totp_secret)
        self._print_links()

    @staticmethod
    def _profiles(model, local_part: str, count: int) -> list:
        """The demo profiles in their numbered order (creator1, creator2, …)."""
        emails = [f"{local_part}{index}@{DEMO_DOMAIN}" for index in range(1, count + 1)]
        by_email = {
            profile.user.email: profile
            for profile in model.objects.filter(user__email__in=emails).select_related("user")
        }
        return [by_email[email] for email in emails]

    def _complete_actor(self, actor: ActorProfile, index: int, *, chinese: bool) -> None:
        """A complete profile, two portraits with renditions, red lines; most
        demo actors are verified and opted in (so listed); the last few are
        not, so the roster's rules are visible."""
        data = demo_profile(index, chinese=chinese)
        data["legal_name"] = actor.stage_name
        actor_profile_update(actor=actor, data=data)
        red_lines_update(actor=actor, **demo_red_lines(index))
        uploads = [
            SimpleUploadedFile(f"portrait-{index}-{n}.jpg", portrait(index * 10 + n), content_type="image/jpeg")
            for n in range(2)
        ]
        for photo in photo_upload(actor=actor, files=uploads):
            photo_renditions_make(photo_id=photo.pk)
        if index <= len(ACTOR_NAMES) - UNLISTED_DEMO_ACTORS:
            actor_verification_set(actor=actor, status=VerificationStatus.VERIFIED)
            with translation.override(actor.user.preferred_language):
                actor_opt_in(actor=actor)

    def _user(self, local_part: str, language: str):
        User = get_user_model()
        email = f"{local_part}@{DEMO_DOMAIN}"
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email=email,
                password=DEMO_PASSWORD if settings.DEBUG else None,
                preferred_language=language,
            )
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
            self.created += 1
        return user

    def _print_licences(self, creators: list[CreatorProfile]) -> None:
        """Every demo licence code under its verdict today, in force first:
        the first code printed is one that works now (CI checks it)."""
        # Licence codes are public (anyone may check one), so they print with DEBUG off too.
        groups = demo_contracts_by_verdict(creators=creators, today=timezone.localdate())
        if VerdictKey.ACTIVE not in groups:
            self.stdout.write("In force: none")
        with translation.override("en"):
            for key, contracts in groups.items():
                self.stdout.write(f"{verdict_label(key)}:")
                for contract in contracts:
                    starts = f", starts on {contract.term_start.isoformat()}" if key == VerdictKey.SIGNED else ""
                    self.stdout.write(
                        f"  {contract.licence_code} ({contract.actor.stage_name} → "
                        f"{contract.creator.display_name}, {contract.project.title}{starts})"
                    )

    def _print_links(self) -> None:
        """Where the portal is: SITE_URL, which follows WEB_PORT (the port `make run` serves)."""
        self.stdout.write(
            f"Open the portal at {settings.SITE_URL}/\n"
            f"  sign in          {settings.SITE_URL}/accounts/login/\n"
            f"  check a licence  {settings.SITE_URL}/verify/\n"
        )

    @staticmethod
    def _demo_api_token(user) -> None:
        ApiToken.objects.get_or_create(
            key_hash=api_token_hash(DEMO_API_KEY),
            defaults={"user": user, "name": "Demo tool", "prefix": DEMO_API_KEY[:10]},
        )

    def _print_logins(self, totp_secret: str) -> None:
        if not settings.DEBUG:
            self.stdout.write("DEBUG is off: demo accounts have no password. Use 'Forgot password' to set one.")
            return
        self.stdout.write(
            f"\nDemo logins (password for all: {DEMO_PASSWORD})\n"
            f"  moderator  moderator@{DEMO_DOMAIN}\n"
            f"  creator    creator1@{DEMO_DOMAIN}  (… creator{len(CREATORS)})\n"
            f"  actor      actor1@{DEMO_DOMAIN}    (… actor{len(ACTOR_NAMES)})\n"
            f"The moderator also enters a TOTP code: add this secret to an authenticator app,\n"
            f"or print the current code with: .venv/bin/python manage.py demo_totp_code\n"
            f"  TOTP secret  {totp_secret}\n"
            f"API token of creator1 (Authorization: Token <key>), for the README's examples:\n"
            f"  {DEMO_API_KEY}\n"
        )
