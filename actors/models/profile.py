"""The actor profile, its roster consent records and red lines."""

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from marketplace.categories import ContentCategory
from marketplace.models import AppendOnlyModel
from marketplace.money import Currency
from marketplace.places import Country, Territory

MAX_LICENCE_TERM_MONTHS = 120
MAX_PHOTOS_PER_ACTOR = 12
BIO_MAX_LENGTH = 2000


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    NON_BINARY = "non_binary", _("Non-binary")
    UNSPECIFIED = "unspecified", _("Prefer not to say")


class SpokenLanguage(models.TextChoices):
    MANDARIN = "zh", _("Mandarin")
    CANTONESE = "yue", _("Cantonese")
    ENGLISH = "en", _("English")
    JAPANESE = "ja", _("Japanese")
    KOREAN = "ko", _("Korean")
    FRENCH = "fr", _("French")
    GERMAN = "de", _("German")
    SPANISH = "es", _("Spanish")
    ITALIAN = "it", _("Italian")
    PORTUGUESE = "pt", _("Portuguese")
    RUSSIAN = "ru", _("Russian")
    ARABIC = "ar", _("Arabic")
    HINDI = "hi", _("Hindi")
    THAI = "th", _("Thai")
    VIETNAMESE = "vi", _("Vietnamese")
    MALAY = "ms", _("Malay")


class VerificationStatus(models.TextChoices):
    UNVERIFIED = "unverified", _("Not verified")
    PENDING = "pending", _("Verification pending")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Verification rejected")


# Actors without a fee sort after every fee: a value no fee can reach stands
# in for "none", so the fee order is one index range a cursor can start in.
FEE_SORT_MISSING = Decimal("9999999999.99")


def fee_sort_key() -> Coalesce:
    """The roster's fee order: the fee in US dollars, missing fees last.
    The index ``actor_listed_fee_idx`` is on exactly this expression."""
    return Coalesce(
        F("min_fee_usd"), Value(FEE_SORT_MISSING), output_field=models.DecimalField(max_digits=12, decimal_places=2)
    )


class ActorProfile(models.Model):
    """What makes a user an actor. ``is_listed`` is derived, never edited:
    ``actors.services.actor_listing_refresh`` sets it from the listing rule."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="actor_profile")
    stage_name = models.CharField(_("stage name"), max_length=80)
    slug = models.SlugField(max_length=90, unique=True)
    legal_name = models.CharField(
        _("legal name"), max_length=120, blank=True, help_text=_("Private. Used only to sign contracts.")
    )
    headline = models.CharField(_("headline"), max_length=140, blank=True)
    bio = models.TextField(_("biography"), max_length=BIO_MAX_LENGTH, blank=True)
    # Codes from SpokenLanguage; ASCII keys keep JSON lookups portable.
    languages = models.JSONField(_("languages"), default=list, blank=True)
    gender = models.CharField(_("gender"), max_length=16, choices=Gender.choices, default=Gender.UNSPECIFIED)
    playing_age_min = models.PositiveSmallIntegerField(
        _("playing age from"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    playing_age_max = models.PositiveSmallIntegerField(
        _("playing age to"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    city = models.CharField(_("city or region"), max_length=80, blank=True)
    country = models.CharField(_("country"), max_length=2, choices=Country.choices, blank=True)
    # Comma-separated tags as the actor wrote them ("武术, horse riding").
    skills = models.CharField(_("skills"), max_length=300, blank=True)
    min_fee = models.DecimalField(
        _("minimum fee"), max_digits=12, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    fee_currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.CNY)
    # min_fee at the reference rate, for comparing fees across currencies.
    min_fee_usd = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True, editable=False)
    max_term_months = models.PositiveSmallIntegerField(
        _("maximum licence term (months)"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_LICENCE_TERM_MONTHS)],
    )
    union_membership = models.CharField(_("union membership"), max_length=120, blank=True)

    verification_status = models.CharField(
        _("identity verification"),
        max_length=16,
        choices=VerificationStatus.choices,
        default=VerificationStatus.UNVERIFIED,
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    opted_in = models.BooleanField(_("opted in"), default=False)
    opted_in_at = models.DateTimeField(null=True, blank=True)
    is_listed = models.BooleanField(_("listed on the roster"), default=False, editable=False)
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Set by a moderator acting on a report; a hidden actor is never listed.
    hidden_at = models.DateTimeField(_("hidden by a moderator"), null=True, blank=True, editable=False)
    # Search: maintained by actors.services.actor_search_refresh, laid out
    # as actors.search describes. The document is the lower-cased text the
    # roster matches (stage name on the first line); the grams are its keys
    # for one- and two-character words, indexed on PostgreSQL (actors/0010).
    search_document = models.TextField(blank=True, editable=False)
    search_grams = models.TextField(blank=True, editable=False)
    # Overlapping pairs of Chinese/Japanese characters ("林晓 晓雨"): Chinese
    # has no spaces, so these are its words for the full-text vector (filled
    # on PostgreSQL only; the roster no longer reads the vector).
    search_ngrams = models.TextField(blank=True, editable=False)
    search_vector = SearchVectorField(null=True, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("actor profile")
        verbose_name_plural = _("actor profiles")
        constraints = [
            models.CheckConstraint(
                condition=Q(playing_age_min__isnull=True)
                | Q(playing_age_max__isnull=True)
                | Q(playing_age_min__lte=F("playing_age_max")),
                name="actor_playing_age_ordered",
            ),
            models.CheckConstraint(
                condition=Q(max_term_months__gte=1) & Q(max_term_months__lte=MAX_LICENCE_TERM_MONTHS),
                name="actor_max_term_within_ten_years",
            ),
            models.CheckConstraint(
                condition=Q(min_fee__isnull=True) | Q(min_fee__gte=0), name="actor_fee_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(is_listed=False) | (Q(opted_in=True) & Q(verification_status="verified")),
                name="actor_listed_only_when_opted_in_and_verified",
            ),
        ]
        indexes = [
            models.Index(fields=["is_listed", "-created_at", "-id"], name="actor_listed_newest_idx"),
            # The roster's fee sort walks this from its cursor.
            models.Index(fee_sort_key(), F("id"), condition=Q(is_listed=True), name="actor_listed_fee_idx"),
        ]

    def __str__(self) -> str:
        return self.stage_name

    @property
    def is_verified(self) -> bool:
        return self.verification_status == VerificationStatus.VERIFIED

    @property
    def skill_list(self) -> list[str]:
        return [skill.strip() for skill in self.skills.split(",") if skill.strip()]

    def get_languages_display(self) -> list[str]:
        labels = dict(SpokenLanguage.choices)
        return [str(labels[code]) for code in self.languages if code in labels]


class ConsentRecord(AppendOnlyModel):
    """One opt-in or opt-out: the exact text shown, when, and from where."""

    class Action(models.TextChoices):
        OPT_IN = "opt_in", _("Opted in")
        OPT_OUT = "opt_out", _("Opted out")

    actor = models.ForeignKey(ActorProfile, on_delete=models.PROTECT, related_name="consent_records")
    action = models.CharField(max_length=8, choices=Action.choices)
    text_version = models.CharField(max_length=20)
    language = models.CharField(max_length=10)
    text = models.TextField()
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} {self.actor_id} {self.created_at:%Y-%m-%d}"


class RedLines(models.Model):
    """What the actor never accepts. Requests are checked against these before
    they are sent; the maximum term lives on the profile."""

    actor = models.OneToOneField(ActorProfile, on_delete=models.CASCADE, related_name="red_lines")
    # Keys of marketplace.categories.ContentCategory.
    excluded_categories = models.JSONField(default=list, blank=True)
    blocked_keywords = models.JSONField(default=list, blank=True)
    # Keys of marketplace.places.Territory; empty means none accepted yet.
    accepted_territories = models.JSONField(default=list, blank=True)
    ai_training_allowed = models.BooleanField(_("AI training or fine-tuning may be requested"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("red lines")
        verbose_name_plural = _("red lines")

    def __str__(self) -> str:
        return f"red lines of actor {self.actor_id}"

    @property
    def excluded_category_labels(self) -> list[str]:
        labels = dict(ContentCategory.choices)
        return [str(labels[key]) for key in self.excluded_categories if key in labels]

    @property
    def accepted_territory_labels(self) -> list[str]:
        labels = dict(Territory.choices)
        return [str(labels[key]) for key in self.accepted_territories if key in labels]
