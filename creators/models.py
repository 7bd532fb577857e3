"""Creator side: the creator profile, projects with their shot lists, and
per-project shortlists of actors (DESIGN.md "Creator side")."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from marketplace.categories import ContentCategory
from marketplace.places import Country, Territory


class ContactPreference(models.TextChoices):
    MESSAGES = "messages", _("Messages on ConsentCast")
    EMAIL = "email", _("Email")


class CreatorProfile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="creator_profile")
    display_name = models.CharField(_("display name"), max_length=80)
    studio = models.CharField(_("studio or company"), max_length=120, blank=True)
    legal_name = models.CharField(
        _("legal name of the signatory"),
        max_length=120,
        blank=True,
        help_text=_("Private. The person or company that signs contracts; shown only on your contracts."),
    )
    website = models.URLField(_("website"), max_length=200, blank=True)
    bio = models.TextField(_("about"), max_length=2000, blank=True)
    country = models.CharField(_("country"), max_length=2, choices=Country.choices, blank=True)
    contact_preference = models.CharField(
        _("contact preference"), max_length=10, choices=ContactPreference.choices, default=ContactPreference.MESSAGES
    )
    is_verified = models.BooleanField(_("verified studio"), default=False)
    # Set by a moderator acting on a report: the public profile page is gone.
    hidden_at = models.DateTimeField(_("hidden by a moderator"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("creator profile")
        verbose_name_plural = _("creator profiles")

    def __str__(self) -> str:
        return self.display_name


class DistributionChannel(models.TextChoices):
    STREAMING = "streaming", _("Streaming")
    CINEMA = "cinema", _("Cinema")
    SOCIAL_VIDEO = "social_video", _("Social video")
    ADVERTISING = "advertising", _("Advertising")
    GAMES = "games", _("Games")
    OTHER = "other", _("Other")


class LikenessUsage(models.TextChoices):
    FACE = "face", _("Face")
    FULL_BODY = "full_body", _("Full body")
    VOICE = "voice", _("Voice")


class Project(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    creator = models.ForeignKey(CreatorProfile, on_delete=models.CASCADE, related_name="projects")
    title = models.CharField(_("title"), max_length=120)
    logline = models.CharField(_("logline"), max_length=300, blank=True)
    category = models.CharField(_("category"), max_length=24, choices=ContentCategory.choices)
    # Keys of DistributionChannel.
    distribution_channels = models.JSONField(_("distribution channels"), default=list, blank=True)
    territory = models.CharField(_("territory"), max_length=24, choices=Territory.choices, default=Territory.WORLDWIDE)
    ai_tools = models.CharField(_("AI tools used"), max_length=200, blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)

    # Not a column: the API's detail views load the ordered shot list with
    # the project.
    ordered_shots: list["Shot"]
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [
            models.CheckConstraint(
                condition=Q(start_date__isnull=True) | Q(end_date__isnull=True) | Q(start_date__lte=F("end_date")),
                name="project_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Shot(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="shots")
    number = models.PositiveSmallIntegerField(_("shot number"), validators=[MinValueValidator(1)])
    position = models.PositiveSmallIntegerField(default=0)
    description = models.CharField(_("description"), max_length=500)
    category = models.CharField(_("category"), max_length=24, choices=ContentCategory.choices)
    # Keys of LikenessUsage: a shot may use the face, the full body, the voice.
    likeness_usage = models.JSONField(_("likeness usage"), default=list)
    duration_seconds = models.PositiveIntegerField(
        _("duration (seconds)"), validators=[MinValueValidator(1), MaxValueValidator(36000)]
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "number", "id"]
        verbose_name = _("shot")
        verbose_name_plural = _("shots")
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="shot_number_unique_in_project"),
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.description[:40]}"


class ShortlistEntry(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="shortlist")
    actor = models.ForeignKey("actors.ActorProfile", on_delete=models.CASCADE, related_name="shortlisted_in")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-added_at", "-id"]
        verbose_name = _("shortlist entry")
        verbose_name_plural = _("shortlist entries")
        constraints = [
            models.UniqueConstraint(fields=["project", "actor"], name="shortlist_actor_once_per_project"),
        ]

    def __str__(self) -> str:
        return f"{self.actor_id} on {self.project_id}"
