"""Moderation: identity verification, disputes, reports, sanctions and the
claims that keep two moderators off the same item (DESIGN.md "Moderation").

Every status here is a ``TextChoices`` with its ``TRANSITIONS`` dict next to
it; only ``moderation.services`` assigns a status, by compare-and-set, and
writes the item's event row and an ``AuditEvent`` in the same transaction.
"""

import secrets

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from marketplace.files import private_name
from marketplace.models import AppendOnlyModel

DESCRIPTION_MAX_LENGTH = 4000
NOTE_MAX_LENGTH = 4000
REASON_MAX_LENGTH = 1000
MAX_EVIDENCE_IMAGES = 6
# Verification images are kept this long after the decision, then deleted.
VERIFICATION_IMAGE_RETENTION_DAYS = 30
# No 0/O/1/I/L: the actor copies the code onto paper by hand.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 6


def one_time_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _private_path(folder: str, owner_id: int | None, filename: str) -> str:
    """A server-generated name; only the (sanitised) format's suffix survives."""
    return private_name(f"moderation/{folder}/{owner_id}", filename)


def verification_image_path(instance: "IdentityVerification", filename: str) -> str:
    return _private_path("verification", instance.actor_id, filename)


def evidence_image_path(instance: "DisputeEvidence", filename: str) -> str:
    return _private_path("evidence", instance.dispute_id, filename)


# --- Identity verification -------------------------------------------------


class VerificationState(models.TextChoices):
    STARTED = "started", _("Waiting for the photos")
    SUBMITTED = "submitted", _("Waiting for a moderator")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


VERIFICATION_TRANSITIONS = {
    VerificationState.STARTED: {VerificationState.SUBMITTED},
    VerificationState.SUBMITTED: {VerificationState.APPROVED, VerificationState.REJECTED},
    VerificationState.APPROVED: set(),
    VerificationState.REJECTED: set(),
}


class IdentityVerification(models.Model):
    """One attempt at proving who an actor is: the one-time code shown to the
    actor, the ID document and the selfie holding the code (both private,
    moderators only), and the moderator's decision. The images are deleted
    ``VERIFICATION_IMAGE_RETENTION_DAYS`` after the decision."""

    actor = models.ForeignKey("actors.ActorProfile", on_delete=models.CASCADE, related_name="verifications")
    code = models.CharField(max_length=CODE_LENGTH)
    status = models.CharField(max_length=10, choices=VerificationState.choices, default=VerificationState.STARTED)
    id_document = models.FileField(upload_to=verification_image_path, max_length=200, blank=True)
    selfie = models.FileField(upload_to=verification_image_path, max_length=200, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(blank=True, max_length=REASON_MAX_LENGTH)
    images_deleted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One attempt in progress per actor: a second "start" reuses it.
            models.UniqueConstraint(
                fields=["actor"],
                condition=Q(status__in=["started", "submitted"]),
                name="verification_one_open_per_actor",
            ),
        ]
        indexes = [models.Index(fields=["status", "submitted_at"], name="verification_queue_idx")]

    def __str__(self) -> str:
        return f"verification {self.pk} of actor {self.actor_id}"

    @property
    def has_images(self) -> bool:
        return bool(self.id_document or self.selfie)


# --- Disputes --------------------------------------------------------------


class DisputeCategory(models.TextChoices):
    BEYOND_SHOTS = "beyond_shots", _("Use beyond the approved shots")
    TRAINING = "training", _("AI training without permission")
    PAYMENT = "payment", _("Payment")
    HARASSMENT = "harassment", _("Harassment")
    IMPERSONATION = "impersonation", _("Impersonation")
    OTHER = "other", _("Other")


class DisputeStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("status", "Open")
    IN_REVIEW = "in_review", _("In review")
    RESOLVED = "resolved", _("Resolved")
    DISMISSED = "dismissed", _("Dismissed")


DISPUTE_TRANSITIONS = {
    DisputeStatus.OPEN: {DisputeStatus.IN_REVIEW, DisputeStatus.RESOLVED, DisputeStatus.DISMISSED},
    DisputeStatus.IN_REVIEW: {DisputeStatus.RESOLVED, DisputeStatus.DISMISSED},
    DisputeStatus.RESOLVED: set(),
    DisputeStatus.DISMISSED: set(),
}
DISPUTE_OPEN_STATUSES = (DisputeStatus.OPEN, DisputeStatus.IN_REVIEW)


class DisputeOutcome(models.TextChoices):
    NO_ACTION = "no_action", _("No action")
    WARNING = "warning", _("Warning")
    CONTRACT_VOIDED = "contract_voided", _("Contract voided")
    ACCOUNT_SUSPENDED = "account_suspended", _("Account suspended")


class Dispute(models.Model):
    """A party's complaint about a request or its contract. Opening one on an
    active contract suspends the contract until the dispute ends."""

    usage_request = models.ForeignKey("usage_requests.UsageRequest", on_delete=models.PROTECT, related_name="disputes")
    contract = models.ForeignKey(
        "usage_requests.Contract", null=True, blank=True, on_delete=models.PROTECT, related_name="disputes"
    )
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # "actor" or "creator": which side opened it (the other is the respondent).
    opened_by_party = models.CharField(max_length=10)
    category = models.CharField(_("category"), max_length=20, choices=DisputeCategory.choices)
    description = models.TextField(_("what happened"), max_length=DESCRIPTION_MAX_LENGTH)
    status = models.CharField(max_length=10, choices=DisputeStatus.choices, default=DisputeStatus.OPEN)
    outcome = models.CharField(max_length=20, choices=DisputeOutcome.choices, blank=True)
    # For "account suspended": whose account.
    sanctioned_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution = models.TextField(blank=True, max_length=REASON_MAX_LENGTH)
    # Whether opening suspended the contract (so ending it reinstates it).
    suspended_contract = models.BooleanField(default=False)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["usage_request"],
                condition=Q(status__in=["open", "in_review"]),
                name="dispute_one_open_per_request",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="dispute_queue_idx")]

    def __str__(self) -> str:
        return f"dispute {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in DISPUTE_OPEN_STATUSES


class DisputeEvidence(models.Model):
    """An image a party attached (sanitised, private: parties and moderators)."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="evidence")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    image = models.FileField(upload_to=evidence_image_path, max_length=200)
    content_type = models.CharField(max_length=20)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"evidence {self.pk} of dispute {self.dispute_id}"


class DisputeMessage(AppendOnlyModel):
    """A message in the dispute's thread. ``internal`` notes are for
    moderators only and never shown to the parties."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # "actor", "creator" or "moderator".
    author_party = models.CharField(max_length=10)
    body = models.TextField(max_length=NOTE_MAX_LENGTH)
    internal = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(AppendOnlyModel.Meta):
        ordering = ["created_at", "id"]


class DisputeEvent(AppendOnlyModel):
    """The dispute's timeline, one row per move, written in its transaction."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("Dispute opened")
        CONTRACT_SUSPENDED = "suspended", _("Contract suspended while the dispute is open")
        ASSIGNED = "assigned", _("Taken by a moderator")
        IN_REVIEW = "in_review", _("In review")
        EVIDENCE_ADDED = "evidence", _("Evidence added")
        RESOLVED = "resolved", _("Resolved")
        DISMISSED = "dismissed", _("Dismissed")

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    by_party = models.CharField(max_length=10, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(AppendOnlyModel.Meta):
        ordering = ["created_at", "id"]

    @property
    def outcome_label(self) -> str:
        """The outcome a resolution recorded, in the reader's language; ""
        for every other event."""
        outcome = (self.data or {}).get("outcome", "")
        return str(DisputeOutcome(outcome).label) if outcome in DisputeOutcome.values else ""


# --- Reports ---------------------------------------------------------------


class ReportReason(models.TextChoices):
    IMPERSONATION = "impersonation", _("Impersonation")
    ABUSE = "abuse", _("Abuse")
    OTHER = "other", _("Other")


class ReportStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("status", "Open")
    ACTIONED = "actioned", _("Action taken")
    DISMISSED = "dismissed", _("Dismissed")


REPORT_TRANSITIONS = {
    ReportStatus.OPEN: {ReportStatus.ACTIONED, ReportStatus.DISMISSED},
    ReportStatus.ACTIONED: set(),
    ReportStatus.DISMISSED: set(),
}


class ReportAction(models.TextChoices):
    HIDE_PROFILE = "hide_profile", _("Profile hidden")
    SUSPEND_ACCOUNT = "suspend_account", _("Account suspended")
    DISMISS = "dismiss", _("Dismissed")


class ProfileKind(models.TextChoices):
    ACTOR = "actor", _("Actor profile")
    CREATOR = "creator", _("Creator profile")


class Report(models.Model):
    """A user's report about an actor's or a creator's profile."""

    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reported_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports")
    profile_kind = models.CharField(max_length=10, choices=ProfileKind.choices)
    reason = models.CharField(_("reason"), max_length=16, choices=ReportReason.choices)
    description = models.TextField(_("description"), max_length=DESCRIPTION_MAX_LENGTH)
    status = models.CharField(max_length=10, choices=ReportStatus.choices, default=ReportStatus.OPEN)
    action = models.CharField(max_length=16, choices=ReportAction.choices, blank=True)
    resolution = models.TextField(blank=True, max_length=REASON_MAX_LENGTH)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"], name="report_queue_idx")]

    def __str__(self) -> str:
        return f"report {self.pk}"


# --- Sanctions -------------------------------------------------------------


class Sanction(models.Model):
    """A warning or a suspension given to a user: the history behind
    ``User.suspended_at``. A suspension is lifted by a reinstatement."""

    class Kind(models.TextChoices):
        WARNING = "warning", _("Warning")
        SUSPENSION = "suspension", _("Suspension")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sanctions")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    reason = models.TextField(max_length=REASON_MAX_LENGTH)
    given_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    dispute = models.ForeignKey(Dispute, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    report = models.ForeignKey(Report, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lift_reason = models.TextField(blank=True, max_length=REASON_MAX_LENGTH)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} of user {self.user_id}"


# --- Claims ----------------------------------------------------------------


class Claim(models.Model):
    """ "Assigned to me": one moderator per queue item at a time. One table for
    every queue (verifications, disputes, reports, flagged photos); the unique
    constraint is what stops two moderators taking the same item."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    item = GenericForeignKey("content_type", "object_id")
    moderator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    claimed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["content_type", "object_id"], name="claim_one_per_item")]

    def __str__(self) -> str:
        return f"claim of {self.content_type_id}:{self.object_id} by {self.moderator_id}"
