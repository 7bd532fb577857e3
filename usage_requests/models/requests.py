"""A usage request: its versioned terms, the actor's per-shot decisions, the
message thread and the timeline (DESIGN.md "Usage request"), with the two
parties and the timeline row that contracts share.

Only ``usage_requests.services`` assigns a status; the legal moves are the
``REQUEST_TRANSITIONS`` dict next to the status list.
"""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from actors.models import ActorProfile
from creators.models import CreatorProfile, LikenessUsage
from marketplace.models import AppendOnlyModel, User
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


class BetweenParties:
    """What a request and a contract share: one actor and one creator."""

    actor: ActorProfile
    creator: CreatorProfile

    def party_of(self, user: User | AnonymousUser) -> str | None:
        """``"actor"``, ``"creator"`` or None for ``user``."""
        if user.pk == self.actor.user_id:
            return Party.ACTOR
        if user.pk == self.creator.user_id:
            return Party.CREATOR
        return None


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
AWAITING_PARTY: dict[str, Party] = {RequestStatus.PENDING: Party.ACTOR, RequestStatus.COUNTERED: Party.CREATOR}


class UsageRequest(BetweenParties, models.Model):
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


def likeness_usage_labels(likeness_usage: list[str]) -> list[str]:
    """The labels of a shot's likeness usage keys, in the reader's language;
    a key retired since is left out."""
    labels = dict(LikenessUsage.choices)
    return [str(labels[key]) for key in likeness_usage if key in labels]


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

    @property
    def likeness_labels(self) -> list[str]:
        return likeness_usage_labels(self.shot.likeness_usage)


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

    @property
    def summary(self) -> str:
        """The event in one line, in the reader's language: a shot decision
        names its shot and what the actor decided ("Shot 3 approved by the
        actor"); any other event is its kind."""
        data = self.data if isinstance(self.data, dict) else {}
        shot = data.get("shot")
        if self.kind == self.Kind.SHOT_DECIDED and isinstance(shot, int):
            text = _SHOT_DECISION_SUMMARIES.get(data.get("decision", ""), _SHOT_DECISION_SUMMARIES["undecided"])
            return str(text) % {"number": shot}
        return str(self.get_kind_display())

    @property
    def shot_note(self) -> str:
        """The actor's note with a shot decision; "" for any other event."""
        data = self.data if isinstance(self.data, dict) else {}
        note = data.get("note", "") if self.kind == self.Kind.SHOT_DECIDED else ""
        return note if isinstance(note, str) else ""


_SHOT_DECISION_SUMMARIES = {
    "approved": _("Shot %(number)s approved by the actor"),
    "vetoed": _("Shot %(number)s vetoed by the actor"),
    "undecided": _("Decision on shot %(number)s withdrawn by the actor"),
}
