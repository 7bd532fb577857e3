"""The contract an accepted request becomes: its immutable snapshot and hash,
the signatures and the timeline (DESIGN.md "Contract").

Only ``usage_requests.services`` assigns a status; the legal moves are the
``CONTRACT_TRANSITIONS`` dict next to the status list.
"""

import hashlib
import json
from collections.abc import Collection
from datetime import date
from typing import Any, Self

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from marketplace.models import AppendOnlyModel
from usage_requests.models.requests import REASON_MAX_LENGTH, BetweenParties, Party, TimelineEvent, UsageRequest


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


def canonical_json(data: dict[str, Any]) -> bytes:
    """The one byte form of a snapshot that its hash is taken over: sorted
    keys, no whitespace, UTF-8."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def terms_hash(data: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(data)).hexdigest()


class ImmutableSnapshot(Exception):
    """Raised when code tries to change a contract's snapshot or its hash."""


class ContractQuerySet(models.QuerySet["Contract"]):
    def in_force(self, today: date) -> Self:
        """Active and inside the term (``Contract.in_force`` as a query)."""
        return self.filter(status=ContractStatus.ACTIVE, term_start__lte=today, term_end__gte=today)

    def update(self, **kwargs: Any) -> int:
        if {"snapshot", "terms_hash", "licence_code"} & kwargs.keys():
            raise ImmutableSnapshot("A contract's snapshot, hash and licence code never change.")
        return super().update(**kwargs)


class Contract(BetweenParties, models.Model):
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
    # The actor's choice when accepting: delivered copies also carry the
    # licence code in a visible corner label (the invisible mark always).
    visible_label = models.BooleanField(_("label delivered copies with the licence code"), default=False)
    # The actor's choice when accepting: every generated output waits for the
    # actor's approval (the default), or is approved on submission.
    outputs_need_approval = models.BooleanField(_("generated outputs need my approval"), default=True)

    objects = ContractQuerySet.as_manager()

    # Not columns: the hash and snapshot as loaded or saved, which ``save``
    # holds the row to (absent on an instance not yet saved).
    _loaded_hash: str | None
    _loaded_snapshot: bytes | None

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

    def save(self, *args: Any, **kwargs: Any) -> None:
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
    def from_db(cls, db: str | None, field_names: Collection[str], values: Collection[Any], **kwargs: Any) -> Self:
        instance = super().from_db(db, field_names, values, **kwargs)
        instance._loaded_hash = instance.__dict__.get("terms_hash")
        instance._loaded_snapshot = canonical_json(instance.__dict__["snapshot"]) if "snapshot" in field_names else None
        return instance

    def in_force(self, today: date) -> bool:
        """Whether the licence covers ``today``: active (both signed, no
        dispute, not revoked) and inside its term. Signed early is not yet
        licensed, and an ended term is over before the nightly sweep marks the
        contract completed. Originals are downloadable only then."""
        return self.status == ContractStatus.ACTIVE and self.term_start <= today <= self.term_end


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
        OUTPUT_SUBMITTED = "output_submitted", _("Generated output submitted")
        OUTPUT_APPROVED = "output_approved", _("Generated output approved")
        OUTPUT_REJECTED = "output_rejected", _("Generated output rejected")

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)

    def __str__(self) -> str:
        return f"{self.kind} on contract {self.contract_id}"
