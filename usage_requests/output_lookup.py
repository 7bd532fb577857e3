"""Whether a file is an approved output of a licence in force, and of which
licence: the answer of ``GET /api/v1/outputs/<sha256>/`` and of the page
``/verify/outputs/<sha256>/``, in the reader's language.

Each licence the file was approved under is told with the shared verdict
(``usage_requests.verdicts``) and one sentence saying what became of it
(revoked on a date, voided, completed, suspended, not yet in force).
"""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from usage_requests.models import Contract
from usage_requests.selectors.approved_outputs import ApprovedOutput, approvals_of_file
from usage_requests.verdicts import Verdict, VerdictKey, verdict_label, verdict_of


@dataclass(frozen=True)
class OutputLicence:
    """One licence the file was approved under, as the public sees it."""

    output: ApprovedOutput
    contract: Contract
    verdict: Verdict
    message: str

    @property
    def in_force(self) -> bool:
        return self.verdict.valid

    def _snapshot_text(self, part: str, key: str) -> str:
        value = self.contract.snapshot.get(part, {})
        return str(value.get(key, "")) if isinstance(value, dict) else ""

    @property
    def actor(self) -> str:
        """The actor's stage name, as the licence says it."""
        return self._snapshot_text("actor", "stage_name")

    @property
    def creator(self) -> str:
        return self._snapshot_text("creator", "display_name")

    @property
    def project(self) -> str:
        return self._snapshot_text("project", "title")


@dataclass(frozen=True)
class OutputLookup:
    """The answer for one SHA-256: ``approved`` when at least one of its
    licences is in force today; ``message`` is the first licence's."""

    sha256: str
    licences: list[OutputLicence]

    @property
    def approved(self) -> bool:
        return any(licence.in_force for licence in self.licences)

    @property
    def message(self) -> str:
        return self.licences[0].message


def _ended_on(contract: Contract) -> str:
    ended = timezone.localdate(contract.ended_at) if contract.ended_at else None
    return ended.isoformat() if ended else ""


def licence_message(contract: Contract, key: str) -> str:
    """One sentence on what an approved output's licence ``key`` (a verdict
    key) means for that output, naming the licence and the date it changed."""
    code = contract.licence_code
    if key == VerdictKey.ACTIVE:
        return _("Approved output of licence %(code)s, in force.") % {"code": code}
    if key == VerdictKey.SIGNED:
        return _(
            "This output was approved under licence %(code)s, which is signed, not yet in force: its term "
            "starts on %(date)s."
        ) % {"code": code, "date": contract.term_start.isoformat()}
    if key == VerdictKey.SUSPENDED:
        return _("This output was approved under licence %(code)s, which is suspended while a dispute is open.") % {
            "code": code
        }
    if key == VerdictKey.REVOKED:
        return _("This output was approved under licence %(code)s, which the actor revoked on %(date)s.") % {
            "code": code,
            "date": _ended_on(contract),
        }
    if key == VerdictKey.VOIDED:
        return _("This output was approved under licence %(code)s, which a moderator voided on %(date)s.") % {
            "code": code,
            "date": _ended_on(contract),
        }
    if key == VerdictKey.COMPLETED:
        return _("This output was approved under licence %(code)s, which is completed: its term ended on %(date)s.") % {
            "code": code,
            "date": contract.term_end.isoformat(),
        }
    return _("This output was approved under licence %(code)s, which is not in force: %(status)s.") % {
        "code": code,
        "status": verdict_label(key),
    }


def output_lookup(sha256: str, today: date | None = None) -> OutputLookup | None:
    """The licences the file with this (normalised) SHA-256 was approved
    under, those in force today first; None when no approved output has
    this hash (an unknown, pending or rejected file)."""
    today = today or timezone.localdate()
    licences = []
    for output, contract in approvals_of_file(sha256):
        verdict = verdict_of(contract, today)
        licences.append(OutputLicence(output, contract, verdict, licence_message(contract, verdict.key)))
    if not licences:
        return None
    licences.sort(key=lambda licence: not licence.in_force)
    return OutputLookup(sha256=sha256, licences=licences)
