"""The append-only log of every access to an actor's likeness."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.utils.translation import gettext_lazy as _

from actors.models.photos import LikenessPhoto
from actors.models.profile import ActorProfile
from marketplace.models import AppendOnlyModel


class AssetAccess(AppendOnlyModel):
    """Append-only: one row per view, download or denied attempt on a likeness
    asset. The actor reads these at /actors/me/access/."""

    class Kind(models.TextChoices):
        THUMBNAIL = "thumbnail", _("Thumbnail")
        PREVIEW = "preview", _("Watermarked preview")
        ORIGINAL = "original", _("Original download")
        EXPORT = "export", _("Data export")

    class Outcome(models.TextChoices):
        GRANTED = "granted", _("Granted")
        DENIED = "denied", _("Denied")

    actor = models.ForeignKey(ActorProfile, on_delete=models.CASCADE, related_name="asset_accesses")
    photo = models.ForeignKey(LikenessPhoto, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Who it was at the time, readable even after their account is gone.
    viewer_label = models.CharField(max_length=120, blank=True)
    viewer_role = models.CharField(max_length=12, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    purpose = models.CharField(max_length=120, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["actor", "-created_at", "-id"], name="access_actor_newest_idx"),
            models.Index(fields=["actor", "viewer", "-created_at"], name="access_actor_viewer_idx"),
            # The archive sweep finds rows past ACCESS_LOG_ARCHIVE_DAYS by age alone.
            models.Index(fields=["created_at"], name="access_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.outcome} {self.actor_id}"

    @property
    def viewer_display(self) -> str:
        """Who looked, as the actor reads it (``public_viewer_label``)."""
        return public_viewer_label(self.viewer_label, self.viewer_role)

    @property
    def purpose_display(self) -> str:
        """The purpose as the actor reads it: a licence code, or for a
        moderator the item they were working on ("Moderator — dispute #12")."""
        if not self.purpose:
            return ""
        if self.viewer_role != "moderator":
            return _("Licence %(code)s") % {"code": self.purpose}
        kind, _sep, number = self.purpose.partition(":")
        label = MODERATOR_PURPOSES.get(kind)
        if label is None or not number.isdigit():
            return _("Moderator — %(purpose)s") % {"purpose": self.purpose}
        return _("Moderator — %(item)s") % {"item": label % {"id": number}}


class AccessLogArchive(models.Model):
    """One calendar month of an actor's access log, moved out of the table
    into a gzipped CSV file in private storage (``actors.services.archive``).
    The rows left the table in the transaction that wrote this row, after
    the file was written and read back: ``row_count`` rows whose file has
    ``sha256``. The actor downloads it from the access-log page; the data
    export includes it. Never deleted: it is the actor's proof."""

    actor = models.ForeignKey(ActorProfile, on_delete=models.CASCADE, related_name="access_archives")
    month = models.DateField(help_text="The first day of the month the rows were written in (UTC).")
    file = models.FileField(upload_to="access-archives/", max_length=200)
    row_count = models.PositiveIntegerField()
    byte_size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-month", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["actor", "month"], name="access_archive_one_per_actor_month"),
        ]

    def __str__(self) -> str:
        return f"access log {self.month:%Y-%m} of actor {self.actor_id}"


# Why a moderator may open an actor's private photos: the item they work on,
# logged as "<kind>:<id>" (see actors.selectors.asset_access_rule).
MODERATOR_PURPOSES = {
    "verification": _("identity check #%(id)s"),
    "dispute": _("dispute #%(id)s"),
    "flag": _("flagged photo #%(id)s"),
}


def _is_email(label: str) -> bool:
    try:
        validate_email(label)
    except ValidationError:
        return False
    return True


def public_viewer_label(label: str, role: str) -> str:
    """Who looked at an actor's likeness, by their public name only: the
    stage name of another actor, the studio's name, "Moderator", "You"…;
    never an email address, including the ones rows written before this rule
    hold in ``viewer_label``."""
    if role == "moderator":
        return str(_("Moderator"))
    if role == "anonymous":
        return str(_("Someone not signed in"))
    if role == "owner":
        return str(_("You"))
    if label and not _is_email(label):
        return label
    if role == "actor":
        return str(_("another actor"))
    if role == "creator":
        return str(_("a studio"))
    return str(_("someone signed in"))
