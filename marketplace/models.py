"""Platform core models: the user, in-app notifications and the audit log."""

import hashlib
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from marketplace.notifications import kind_for


class UserManager(DjangoUserManager):
    """Email is the login; there is no username."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    # The login is the email, not a username: the signature differs from Django's.
    def create_user(self, email, password=None, **extra_fields):  # type: ignore[override]
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):  # type: ignore[override]  # as create_user
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    username = None  # type: ignore[assignment]  # no username: the email is the login
    email = models.EmailField(_("email address"), unique=True)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("Emails and notifications use this language."),
    )
    # Set by a moderator's sanction; a suspended actor is never listed.
    suspended_at = models.DateTimeField(_("suspended at"), null=True, blank=True)

    # Django declares these as class variables; stating them here is how a
    # custom user model configures them.
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects: ClassVar[UserManager] = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.email

    @property
    def is_actor(self) -> bool:
        return hasattr(self, "actor_profile")

    @property
    def is_creator(self) -> bool:
        return hasattr(self, "creator_profile")


class EmailStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    NOT_WANTED = "not_wanted", _("Not sent")


# Legal moves of a notification's email; only marketplace.services and
# marketplace.tasks assign email_status.
EMAIL_TRANSITIONS = {
    EmailStatus.PENDING: {EmailStatus.SENDING, EmailStatus.NOT_WANTED},
    EmailStatus.SENDING: {EmailStatus.SENT, EmailStatus.PENDING, EmailStatus.FAILED, EmailStatus.NOT_WANTED},
    EmailStatus.SENT: set(),
    EmailStatus.FAILED: set(),
    EmailStatus.NOT_WANTED: set(),
}


class Notification(models.Model):
    """One event told to one user, in the app and (usually) by email.

    ``kind`` names an entry of ``marketplace.notifications.KINDS``; the text is
    rendered when shown, in the reader's language, from ``params``. The
    ``event_key`` makes the pair (recipient, event) unique, so telling a user
    about the same event twice creates one notification and one email.
    """

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=64)
    event_key = models.CharField(max_length=200)
    params = models.JSONField(default=dict, blank=True)
    target_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.CASCADE)
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    email_status = models.CharField(max_length=16, choices=EmailStatus.choices, default=EmailStatus.PENDING)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_claimed_at = models.DateTimeField(null=True, blank=True)
    email_retry_at = models.DateTimeField(null=True, blank=True)
    email_sent_at = models.DateTimeField(null=True, blank=True)
    email_last_error = models.CharField(max_length=500, blank=True)
    # Set when the email's task could not be queued (the broker was down):
    # the next sweep queues it, instead of waiting for it to look lost.
    email_unqueued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "event_key"], name="notification_unique_event_per_recipient"),
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread_idx"),
            models.Index(fields=["email_status", "created_at"], name="notification_email_idx"),
            models.Index(
                fields=["email_unqueued_at"],
                name="notification_unqueued_idx",
                condition=Q(email_unqueued_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def title(self) -> str:
        return kind_for(self.kind).render_title(self.params)

    @property
    def body(self) -> str:
        return kind_for(self.kind).render_body(self.params)


class AppendOnlyQuerySet(models.QuerySet):
    """Refuses bulk updates and deletes: log rows are written once."""

    def update(self, **kwargs):
        raise PermissionError(f"{self.model.__name__} rows are append-only.")

    def delete(self):
        raise PermissionError(f"{self.model.__name__} rows are append-only.")

    def purge(self) -> int:
        """Delete these rows: the one way log rows leave, and only for the
        retention sweep (rows past their age) or after the rows were
        archived and the archive verified (the access log). Returns how
        many rows went."""
        _total, per_model = models.QuerySet.delete(self)
        return int(per_model.get(self.model._meta.label, 0))


class AppendOnlyModel(models.Model):
    """A row that is written once and never edited or deleted through the ORM."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError(f"{type(self).__name__} rows are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError(f"{type(self).__name__} rows are append-only.")


class AuditEvent(AppendOnlyModel):
    """A security-relevant event: append-only, never edited, never deleted.

    ``actor_email`` keeps who acted readable even if the account is later
    deleted (the foreign key then becomes NULL through the database).
    """

    class Action(models.TextChoices):
        LOGIN = "auth.login", _("Signed in")
        LOGIN_FAILED = "auth.login_failed", _("Sign-in failed")
        LOGOUT = "auth.logout", _("Signed out")
        AUTHZ_DENIED = "authz.denied", _("Access denied")
        ROLE_ADDED = "role.added", _("Role added")
        ROLE_REMOVED = "role.removed", _("Role removed")
        CONSENT_OPT_IN = "consent.opt_in", _("Opted in to the roster")
        CONSENT_OPT_OUT = "consent.opt_out", _("Opted out of the roster")
        DATA_EXPORTED = "privacy.export", _("Personal data exported")
        ACCOUNT_DELETED = "privacy.delete", _("Account deleted")
        # Moderator actions (moderation.services writes them).
        ITEM_CLAIMED = "moderation.claimed", _("Queue item taken")
        ITEM_RELEASED = "moderation.released", _("Queue item released")
        VERIFICATION_APPROVED = "moderation.verification_approved", _("Identity verification approved")
        VERIFICATION_REJECTED = "moderation.verification_rejected", _("Identity verification rejected")
        VERIFICATION_IMAGE_VIEWED = "moderation.verification_image_viewed", _("Verification image viewed")
        EVIDENCE_VIEWED = "moderation.evidence_viewed", _("Dispute evidence viewed")
        DISPUTE_REVIEW = "moderation.dispute_review", _("Dispute taken into review")
        DISPUTE_NOTE = "moderation.dispute_note", _("Dispute note or message written")
        DISPUTE_RESOLVED = "moderation.dispute_resolved", _("Dispute resolved")
        DISPUTE_DISMISSED = "moderation.dispute_dismissed", _("Dispute dismissed")
        REPORT_ACTIONED = "moderation.report_actioned", _("Report acted on")
        REPORT_DISMISSED = "moderation.report_dismissed", _("Report dismissed")
        PHOTO_CLEARED = "moderation.photo_cleared", _("Flagged photo cleared")
        PHOTO_REJECTED = "moderation.photo_rejected", _("Flagged photo rejected")
        PROFILE_HIDDEN = "moderation.profile_hidden", _("Profile hidden")
        PROFILE_SHOWN = "moderation.profile_shown", _("Profile shown again")
        USER_WARNED = "moderation.user_warned", _("User warned")
        USER_SUSPENDED = "moderation.user_suspended", _("Account suspended")
        USER_REINSTATED = "moderation.user_reinstated", _("Account reinstated")
        CREATOR_VERIFIED = "moderation.creator_verified", _("Studio verified")
        CREATOR_UNVERIFIED = "moderation.creator_unverified", _("Studio verification withdrawn")
        LEAK_TRACED = "trace.attempt", _("Found copy traced")
        TOKEN_CREATED = "api.token_created", _("API token created")
        TOKEN_REVOKED = "api.token_revoked", _("API token revoked")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_email = models.EmailField(blank=True)
    action = models.CharField(max_length=64, db_index=True)
    target = models.CharField(max_length=200, blank=True, help_text="app_label.model:pk or a path")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["actor", "created_at"], name="audit_actor_idx")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.actor_email}"

    @property
    def action_label(self) -> str:
        """The action in the reader's language (its key when it has no label)."""
        try:
            return str(self.Action(self.action).label)
        except ValueError:
            return self.action

    @property
    def details(self) -> list[tuple[str, str]]:
        """The event's data as (label, value) in the reader's language: known
        keys by their label (``AUDIT_DETAIL_LABELS``), others as written; yes
        and no for flags. Values are what was recorded (names, reasons)."""
        rows = []
        for key, value in self.data.items():
            label = AUDIT_DETAIL_LABELS.get(key)
            shown = str(_("yes") if value else _("no")) if isinstance(value, bool) else str(value)
            rows.append((str(label) if label else key, shown))
        return rows


# How the audit log names the keys of an event's data.
AUDIT_DETAIL_LABELS = {
    "action": _("action"),
    "actor": _("actor"),
    "as_moderator": _("as moderator"),
    "bytes": _("bytes"),
    "consent_record": _("consent record"),
    "evidence": _("evidence"),
    "found": _("found"),
    "found_by": _("found by"),
    "image": _("image"),
    "method": _("method"),
    "name": _("name"),
    "path": _("path"),
    "prefix": _("token prefix"),
    "profile": _("profile"),
    "reason": _("reason"),
    "report": _("report"),
    "reported_user": _("reported user"),
    "resolution": _("resolution"),
    "role": _("role"),
    "sanction": _("sanction"),
    "sha256": _("SHA-256"),
    "shown": _("shown"),
    "similar_to": _("similar to"),
    "status": _("status"),
    "text_version": _("consent text version"),
    "user": _("user"),
    "via": _("via"),
}


API_TOKEN_PREFIX = "cc_"  # noqa: S105 - a label, not a secret


def api_token_hash(key: str) -> str:
    """What is stored of a token's key: its SHA-256, never the key."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class ApiToken(models.Model):
    """A personal access token for the API (``Authorization: Token <key>``).

    Only the SHA-256 of the key is stored: the key is shown once, when the
    token is created, and cannot be recovered. A key is 256 random bits, so a
    plain hash (no salt, no stretching) cannot be reversed and lets the
    lookup be one indexed equality. ``prefix`` (the key's first characters)
    lets the owner tell tokens apart on the list.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_used_ip = models.GenericIPAddressField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
