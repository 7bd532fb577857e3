"""One vocabulary for where a contract stands, used everywhere it is shown:
the contract pages, ``/verify/<code>/``, the licence API, the notifications
and ``seed_demo``'s output.

The stored status says how a contract moved; the verdict says what it means
*today*. They differ for an active contract outside its term: signed but not
started yet (``signed``), or past its end before the nightly sweep completes
it (``completed``). Only ``active`` means the licence is in force.
"""

from dataclasses import dataclass
from datetime import date

from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from usage_requests.models import Contract, ContractStatus


class VerdictKey:
    """The verdicts, in the order a contract's life meets them."""

    AWAITING_SIGNATURES = "awaiting_signatures"
    SIGNED = "signed"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    VOIDED = "voided"
    COMPLETED = "completed"
    CANCELLED = "cancelled"

    ALL = (AWAITING_SIGNATURES, SIGNED, ACTIVE, SUSPENDED, REVOKED, VOIDED, COMPLETED, CANCELLED)


# The licence API's ``status`` and ``verdict.key`` (the schema's LicenceStatusEnum).
VERDICT_CHOICES = [(key, key) for key in VerdictKey.ALL]


@dataclass(frozen=True)
class Verdict:
    """Where a contract stands today: ``key`` (one of ``VerdictKey.ALL``,
    what the API's ``status`` says), ``label`` (the badge's words),
    ``colour`` (Bootstrap's, one per key), ``icon``, ``valid`` (in force
    today), and the certificate's ``heading`` and ``detail``."""

    key: str
    label: str
    colour: str
    icon: str
    valid: bool
    heading: str
    detail: str


# key: colour, icon, heading, detail. The label is in _label (one needs a date).
_LOOKS: dict[str, tuple[str, str, str | Promise, str | Promise]] = {
    VerdictKey.AWAITING_SIGNATURES: (
        "primary",
        "bi-pen",
        gettext_lazy("Not in force: awaiting signatures"),
        gettext_lazy("The licence takes effect only once both the actor and the creator have signed it."),
    ),
    VerdictKey.SIGNED: (
        "info",
        "bi-hourglass-split",
        gettext_lazy("Signed, not yet in force"),
        gettext_lazy("Both parties signed this licence. Its term has not started yet."),
    ),
    VerdictKey.ACTIVE: (
        "success",
        "bi-patch-check-fill",
        gettext_lazy("Valid licence"),
        gettext_lazy("Both parties signed this licence and it is in force today, within the terms below."),
    ),
    VerdictKey.SUSPENDED: (
        "warning",
        "bi-exclamation-triangle-fill",
        gettext_lazy("Not in force: under dispute"),
        gettext_lazy("A dispute is open. The licence is suspended until a moderator decides."),
    ),
    VerdictKey.REVOKED: (
        "danger",
        "bi-slash-circle",
        gettext_lazy("Not in force: revoked"),
        gettext_lazy("The actor revoked this licence. The likeness may no longer be used under it."),
    ),
    VerdictKey.VOIDED: (
        "dark",
        "bi-x-octagon-fill",
        gettext_lazy("Not in force: voided"),
        gettext_lazy("A moderator voided this licence after a dispute. It is void for good."),
    ),
    VerdictKey.COMPLETED: (
        "secondary",
        "bi-calendar-x",
        gettext_lazy("Not in force: the term has ended"),
        gettext_lazy("The licensed use was allowed only until the end of its term."),
    ),
    VerdictKey.CANCELLED: (
        "light",
        "bi-x-circle",
        gettext_lazy("Not in force: cancelled"),
        gettext_lazy("It was not signed in time, so it never took effect."),
    ),
}


def verdict_key(contract: Contract, today: date) -> str:
    """The verdict's key alone: the stored status, except that an active
    contract is ``signed`` before its term and ``completed`` after it."""
    if contract.status == ContractStatus.ACTIVE:
        if contract.term_start > today:
            return VerdictKey.SIGNED
        if contract.term_end < today:
            return VerdictKey.COMPLETED
    return str(contract.status) if contract.status in _LOOKS else VerdictKey.CANCELLED


def verdict_label(key: str, *, starts: date | None = None) -> str:
    """The badge's words for ``key`` in the active language; ``signed``
    names its start date when given."""
    if key == VerdictKey.SIGNED:
        if starts is None:
            return _("Signed, starts later")
        return _("Signed, starts on %(date)s") % {"date": formats.date_format(starts, "DATE_FORMAT")}
    labels = {
        VerdictKey.AWAITING_SIGNATURES: _("Awaiting signatures"),
        VerdictKey.ACTIVE: _("In force"),
        VerdictKey.SUSPENDED: _("Suspended (dispute)"),
        VerdictKey.REVOKED: _("Revoked"),
        VerdictKey.VOIDED: _("Voided"),
        VerdictKey.COMPLETED: _("Completed"),
        VerdictKey.CANCELLED: _("Cancelled"),
    }
    return labels[key]


def verdict_of(contract: Contract, today: date | None = None) -> Verdict:
    """Where ``contract`` stands on ``today`` (default: the local date), in
    the active language."""
    key = verdict_key(contract, today or timezone.localdate())
    colour, icon, heading, detail = _LOOKS[key]
    return Verdict(
        key=key,
        label=verdict_label(key, starts=contract.term_start),
        colour=colour,
        icon=icon,
        valid=key == VerdictKey.ACTIVE,
        heading=str(heading),
        detail=str(detail),
    )


def verdict_guide() -> list[Verdict]:
    """Every verdict with its generic label, for the page that explains them."""
    verdicts = []
    for key in VerdictKey.ALL:
        colour, icon, heading, detail = _LOOKS[key]
        verdicts.append(
            Verdict(
                key=key,
                label=verdict_label(key),
                colour=colour,
                icon=icon,
                valid=key == VerdictKey.ACTIVE,
                heading=str(heading),
                detail=str(detail),
            )
        )
    return verdicts
