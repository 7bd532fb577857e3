"""Usage requests, their versioned terms and per-shot decisions, the message
thread, contracts with their signatures, and the timelines of both
(DESIGN.md "Usage request", "Contract").

Only ``usage_requests.services`` assigns a status; the legal moves are the
``TRANSITIONS`` dicts next to each status list.
"""

import hashlib
import json
from datetime import date

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from marketplace.models import AppendOnlyModel
from marketplace.money import Currency
from marketplace.places import Territory

MESSAGE_MAX_LENGTH = 2000
NOTE_MAX_LENGTH = 500
REASON_MAX_LENGTH = 1000


class Party(models.TextChoices):
    ACTOR = "actor", _("Actor")
    CREATOR = "creator", _("Creator")


# Who wrote a message or made a move on a timeline (``by_party`` values
# beyond the two parties), as the request and dispute pages name them.
_PARTY_LABELS = {
    **dict(Party.choices),
    "moderator": _("Moderator"),
    "platform": _("ConsentCast"),
}


def party_label(party: str) -> str:
    """The label of a party key in the reader's language; "" when unknown."""
    return str(_PARTY_LABELS.get(party, ""))


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting the actor")
    COUNTERED = "countered", _("Counter-offer, awaiting the creator")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EXPIRED = "expired", _("Expired")


REQUEST_TRANSITIONS: dict[str, set[str]] = {
    RequestStatus.PENDING: {
        RequestStatus.ACCEPTED,
        RequestStatus.DECLINED,
        RequestStatus.COUNTERED,
        RequestStatus.WITHDRAWN,
        RequestStatus.EXPIRED,
    },
    # The creator accepting the counter terms hands the request back to the
    # actor (pending) for the final acceptance with their shot decisions.
    RequestStatus.COUNTERED: {
        RequestStatus.PENDING,
        RequestStatus.DECLINED,
        RequestStatus.WITHDRAWN,
        RequestStatus.EXPIRED,
    },
    RequestStatus.ACCEPTED: set(),
    RequestStatus.DECLINED: set(),
    RequestStatus.WITHDRAWN: set(),
    RequestStatus.EXPIRED: set(),
}
OPEN_REQUEST_STATUSES = (RequestStatus.PENDING, RequestStatus.COUNTERED)
# Who must act next in each open status.
AWAITING_PARTY = {RequestStatus.PENDING: Party.ACTOR, RequestStatus.COUNTERED: Party.CREATOR}


class UsageRequest(models.Model):
    """A creator's request to use one actor's likeness in some shots of one
    project. Terms live in ``RequestTerms`` (versioned); ``terms_version``
    names the latest, the only one either side may accept."""

    actor = models.ForeignKey("actors.ActorProfile", on_delete=models.PROTECT, related_name="usage_requests")
    creator = models.ForeignKey("creators.CreatorProfile", on_delete=models.PROTECT, related_name="usage_requests")
    project = models.ForeignKey("creators.Project", on_delete=models.PROTECT, related_name="usage_requests")
    status = models.CharField(max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    terms_version = models.PositiveSmallIntegerField(default=1)
    message = models.TextField(_("message"), max_length=MESSAGE_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The deadline of whoever must act now; every hand-over sets it anew.
    expires_at = models.DateTimeField(db_index=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    close_reason = models.TextField(max_length=REASON_MAX_LENGTH, blank=True)
    # Read state of the message thread, per participant.
    actor_read_at = models.DateTimeField(null=True, blank=True)
    creator_read_at = models.DateTimeField(null=True, blank=True)
    # The newest message each participant was sent a digest email about.
    actor_digest_message_id = models.PositiveBigIntegerField(default=0)
    creator_digest_message_id = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("usage request")
        verbose_name_plural = _("usage requests")
        constraints = [
            models.UniqueConstraint(
                fields=["actor", "project"],
                condition=Q(status__in=["pending", "countered"]),
                name="usage_request_one_open_per_actor_and_project",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[choice.value for choice in RequestStatus]), name="usage_request_status_known"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "expires_at"], name="usage_request_open_expiry_idx"),
        ]

    def __str__(self) -> str:
        return f"request {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REQUEST_STATUSES

    @property
    def awaiting(self) -> str | None:
        return AWAITING_PARTY.get(self.status)

    def party_of(self, user) -> str | None:
        """``"actor"``, ``"creator"`` or None for ``user``."""
        if user.pk == self.actor.user_id:
            return Party.ACTOR
        if user.pk == self.creator.user_id:
            return Party.CREATOR
        return None


class RequestTerms(models.Model):
    """One version of a request's terms. Written once; a counter-offer adds a
    version instead of editing one."""

    request = models.ForeignKey(UsageRequest, on_delete=models.CASCADE, related_name="terms")
    version = models.PositiveSmallIntegerField()
    proposed_by = models.CharField(max_length=8, choices=Party.choices)
    fee = models.DecimalField(_("fee"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    term_start = models.DateField(_("licence starts"))
    term_end = models.DateField(_("licence ends"))
    territory = models.CharField(_("territory"), max_length=24, choices=Territory.choices)
    ai_training = models.BooleanField(_("AI training or fine-tuning permitted"), default=False)
    note = models.TextField(max_length=MESSAGE_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["request", "version"]
        constraints = [
            models.UniqueConstraint(fields=["request", "version"], name="request_terms_version_unique"),
            models.CheckConstraint(condition=Q(term_start__lte=F("term_end")), name="request_terms_dates_ordered"),
            models.CheckConstraint(condition=Q(fee__gte=0), name="request_terms_fee_not_negative"),
        ]

    def __str__(self) -> str:
        return f"terms v{self.version} of request {self.request_id}"


class ShotDecision(models.TextChoices):
    UNDECIDED = "undecided", _("Not decided")
    APPROVED = "approved", _("Approved")
    VETOED = "vetoed", _("Vetoed")


class RequestShot(models.Model):
    """One shot a request asks for, with the actor's decision on it."""

    request = models.ForeignKey(UsageRequest, on_delete=models.CASCADE, related_name="request_shots")
    shot = models.ForeignKey("creators.Shot", on_delete=models.PROTECT, related_name="request_shots")
    decision = models.CharField(max_length=10, choices=ShotDecision.choices, default=ShotDecision.UNDECIDED)
    note = models.CharField(_("note"), max_length=NOTE_MAX_LENGTH, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["shot__position", "shot__number", "id"]
        constraints = [
            models.UniqueConstraint(fields=["request", "shot"], name="request_shot_once"),
        ]

    def __str__(self) -> str:
        return f"shot {self.shot_id} of request {self.request_id}: {self.decision}"


class Message(models.Model):
    """One plain-text message in a request's thread between its two parties."""

    request = models.ForeignKey(UsageRequest, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    sender_party = models.CharField(max_length=8, choices=Party.choices)
    body = models.TextField(max_length=MESSAGE_MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["request", "created_at"], name="message_thread_idx")]

    def __str__(self) -> str:
        return f"message {self.pk} on request {self.request_id}"


class TimelineEvent(AppendOnlyModel):
    """One row of a timeline: who moved (a user, and their party:
    "actor", "creator", "platform", "moderator" or "dispute"), when, and the
    move's data. Written in the same transaction as the move."""

    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    by_party = models.CharField(max_length=10, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(AppendOnlyModel.Meta):
        abstract = True
        ordering = ["created_at", "id"]


class RequestEvent(TimelineEvent):
    """The request's timeline: one row per move, written in its transaction."""

    class Kind(models.TextChoices):
        SENT = "sent", _("Request sent")
        SHOT_DECIDED = "shot_decided", _("Shot decision")
        COUNTERED = "countered", _("Counter-offer made")
        COUNTER_ACCEPTED = "counter_accepted", _("Counter-offer accepted by the creator")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        EXPIRED = "expired", _("Expired")
        REMINDED = "reminded", _("Reminder sent")

    request = models.ForeignKey(UsageRequest, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)

    def __str__(self) -> str:
        return f"{self.kind} on request {self.request_id}"


class ContractStatus(models.TextChoices):
    AWAITING_SIGNATURES = "awaiting_signatures", _("Awaiting signatures")
    ACTIVE = "active", _("Active")
    CANCELLED = "cancelled", _("Cancelled (not signed in time)")
    COMPLETED = "completed", _("Completed")
    SUSPENDED = "suspended", _("Suspended (under dispute)")
    REVOKED = "revoked", _("Revoked by the actor")
    VOIDED = "voided", _("Voided by a moderator")


CONTRACT_TRANSITIONS: dict[str, set[str]] = {
    ContractStatus.AWAITING_SIGNATURES: {ContractStatus.ACTIVE, ContractStatus.CANCELLED},
    ContractStatus.ACTIVE: {ContractStatus.COMPLETED, ContractStatus.SUSPENDED, ContractStatus.REVOKED},
    ContractStatus.SUSPENDED: {ContractStatus.ACTIVE, ContractStatus.VOIDED},
    ContractStatus.CANCELLED: set(),
    ContractStatus.COMPLETED: set(),
    ContractStatus.REVOKED: set(),
    ContractStatus.VOIDED: set(),
}


def canonical_json(data: dict) -> bytes:
    """The one byte form of a snapshot that its hash is taken over: sorted
    keys, no whitespace, UTF-8."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def terms_hash(data: dict) -> str:
    return hashlib.sha256(canonical_json(data)).hexdigest()


class ImmutableSnapshot(Exception):
    """Raised when code tries to change a contract's snapshot or its hash."""


class ContractQuerySet(models.QuerySet):
    def in_force(self, today: date) -> "ContractQuerySet":
        """Active and inside the term (``Contract.in_force`` as a query)."""
        return self.filter(status=ContractStatus.ACTIVE, term_start__lte=today, term_end__gte=today)

    def update(self, **kwargs):
        if {"snapshot", "terms_hash", "licence_code"} & kwargs.keys():
            raise ImmutableSnapshot("A contract's snapshot, hash and licence code never change.")
        return super().update(**kwargs)


class Contract(models.Model):
    """The licence that an accepted request becomes: an immutable snapshot of
    the accepted terms and the approved shots only, its SHA-256, and a public
    licence code. Status moves through ``usage_requests.services``."""

    request = models.OneToOneField(UsageRequest, on_delete=models.PROTECT, related_name="contract")
    actor = models.ForeignKey("actors.ActorProfile", on_delete=models.PROTECT, related_name="contracts")
    creator = models.ForeignKey("creators.CreatorProfile", on_delete=models.PROTECT, related_name="contracts")
    project = models.ForeignKey("creators.Project", on_delete=models.PROTECT, related_name="contracts")
    licence_code = models.CharField(max_length=17, unique=True)
    snapshot = models.JSONField()
    terms_hash = models.CharField(max_length=64)
    status = models.CharField(max_length=20, choices=ContractStatus.choices, default=ContractStatus.AWAITING_SIGNATURES)
    # Copied from the snapshot for the sweeps' indexes; never edited either.
    term_start = models.DateField()
    term_end = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    sign_deadline = models.DateTimeField()
    activated_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.TextField(max_length=REASON_MAX_LENGTH, blank=True)

    objects = ContractQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[choice.value for choice in ContractStatus]), name="contract_status_known"
            ),
            models.CheckConstraint(condition=Q(term_start__lte=F("term_end")), name="contract_term_ordered"),
        ]
        indexes = [
            models.Index(fields=["status", "sign_deadline"], name="contract_sign_deadline_idx"),
            models.Index(fields=["status", "term_end"], name="contract_term_end_idx"),
        ]

    def __str__(self) -> str:
        return self.licence_code

    def save(self, *args, **kwargs):
        if not self._state.adding:
            changed_hash = getattr(self, "_loaded_hash", None) not in (None, self.terms_hash)
            loaded = getattr(self, "_loaded_snapshot", None)
            if changed_hash or (loaded is not None and loaded != canonical_json(self.snapshot)):
                raise ImmutableSnapshot("A contract's snapshot and its hash never change.")
        super().save(*args, **kwargs)
        # An instance just created is held to the snapshot it was created with,
        # like one loaded from the database.
        self._loaded_hash = self.terms_hash
        self._loaded_snapshot = canonical_json(self.snapshot)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_hash = instance.__dict__.get("terms_hash")
        instance._loaded_snapshot = canonical_json(instance.__dict__["snapshot"]) if "snapshot" in field_names else None
        return instance

    def in_force(self, today: date) -> bool:
        """Whether the licence covers ``today``: active (both signed, no
        dispute, not revoked) and inside its term. Signed early is not yet
        licensed, and an ended term is over before the nightly sweep marks the
        contract completed. Originals are downloadable only then."""
        return self.status == ContractStatus.ACTIVE and self.term_start <= today <= self.term_end

    def party_of(self, user) -> str | None:
        if user.pk == self.actor.user_id:
            return Party.ACTOR
        if user.pk == self.creator.user_id:
            return Party.CREATOR
        return None


class Signature(AppendOnlyModel):
    """One party's signature: the typed legal name, the consent tick, when and
    from where."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="signatures")
    party = models.CharField(max_length=8, choices=Party.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    typed_name = models.CharField(max_length=120)
    terms_hash = models.CharField(max_length=64)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    signed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["signed_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "party"], name="signature_once_per_party"),
        ]

    def __str__(self) -> str:
        return f"{self.party} signed {self.contract_id}"


class ContractEvent(TimelineEvent):
    """The contract's timeline, written in the same transaction as each move."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Contract created")
        SIGNED = "signed", _("Signed")
        ACTIVATED = "activated", _("Active")
        CANCELLED = "cancelled", _("Cancelled")
        COMPLETED = "completed", _("Completed")
        SUSPENDED = "suspended", _("Suspended")
        REINSTATED = "reinstated", _("Reinstated")
        REVOKED = "revoked", _("Revoked")
        VOIDED = "voided", _("Voided")

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)

    def __str__(self) -> str:
        return f"{self.kind} on contract {self.contract_id}"
