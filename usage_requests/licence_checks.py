""" "May I generate this?": whether a licence allows one use of the likeness
(a shot, a likeness usage, a territory, a day, a purpose), with every
reason it does not, so a creator's tool no longer compares lists itself.
``GET /api/v1/licenses/<code>/check`` answers with it.

Only the contract's immutable snapshot and its status are read. The reason
codes are part of the API and never change; their sentences translate.
"""

from dataclasses import dataclass
from datetime import date

from django.db import models
from django.utils.translation import gettext as _

from creators.models import LikenessUsage
from marketplace.places import Territory, territory_covered
from usage_requests.models import Contract, ContractStatus
from usage_requests.verdicts import verdict_label


class Purpose:
    """What the likeness is used for: generating the shot (the default), or
    training or fine-tuning a model on it."""

    GENERATION = "generation"
    TRAINING = "training"

    ALL = (GENERATION, TRAINING)


class Reason:
    """Why a use is not allowed, in the order they are checked."""

    LICENCE_NOT_IN_FORCE = "licence_not_in_force"
    OUTSIDE_TERM = "outside_term"
    SHOT_NOT_APPROVED = "shot_not_approved"
    USAGE_NOT_IN_SHOT = "usage_not_in_shot"
    TERRITORY_NOT_COVERED = "territory_not_covered"
    TRAINING_NOT_PERMITTED = "training_not_permitted"

    ALL = (
        LICENCE_NOT_IN_FORCE,
        OUTSIDE_TERM,
        SHOT_NOT_APPROVED,
        USAGE_NOT_IN_SHOT,
        TERRITORY_NOT_COVERED,
        TRAINING_NOT_PERMITTED,
    )


@dataclass(frozen=True)
class UseQuestion:
    """One intended use: ``usage`` and ``territory`` are checked only when
    given (None otherwise)."""

    shot: int
    on: date
    purpose: str = Purpose.GENERATION
    usage: str | None = None
    territory: str | None = None


@dataclass(frozen=True)
class UseAnswer:
    allowed: bool
    reasons: list[str]
    message: str


def _approved_shot(contract: Contract, number: int) -> dict | None:
    for shot in contract.snapshot.get("shots", []):
        if isinstance(shot, dict) and shot.get("number") == number:
            return shot
    return None


def _terms(contract: Contract) -> dict:
    terms = contract.snapshot.get("terms", {})
    return terms if isinstance(terms, dict) else {}


def _label(choices: type[models.TextChoices], key: str) -> str:
    return str(dict(choices.choices).get(key, key))


def _failures(contract: Contract, question: UseQuestion) -> list[tuple[str, str]]:
    """(reason code, sentence) for every check the use fails."""
    failures = []
    if contract.status != ContractStatus.ACTIVE:
        status = verdict_label(contract.status)
        failures.append(
            (Reason.LICENCE_NOT_IN_FORCE, _("The licence is not in force (%(status)s).") % {"status": status})
        )
    if not contract.term_start <= question.on <= contract.term_end:
        failures.append(
            (
                Reason.OUTSIDE_TERM,
                _("%(date)s is outside the licence's term, %(start)s to %(end)s.")
                % {
                    "date": question.on.isoformat(),
                    "start": contract.term_start.isoformat(),
                    "end": contract.term_end.isoformat(),
                },
            )
        )
    shot = _approved_shot(contract, question.shot)
    if shot is None:
        failures.append(
            (
                Reason.SHOT_NOT_APPROVED,
                _(
                    "Shot %(shot)s is not one of the licence's approved shots "
                    "(the actor vetoed it, or it was never requested)."
                )
                % {"shot": question.shot},
            )
        )
    elif question.usage and question.usage not in shot.get("likeness_usage", []):
        licensed = ", ".join(_label(LikenessUsage, key) for key in shot.get("likeness_usage", [])) or "–"
        failures.append(
            (
                Reason.USAGE_NOT_IN_SHOT,
                _("Shot %(shot)s licenses %(licensed)s, not %(usage)s.")
                % {"shot": question.shot, "licensed": licensed, "usage": _label(LikenessUsage, question.usage)},
            )
        )
    failures += _terms_failures(contract, question)
    return failures


def _terms_failures(contract: Contract, question: UseQuestion) -> list[tuple[str, str]]:
    terms = _terms(contract)
    failures = []
    licensed = str(terms.get("territory", ""))
    if question.territory and not territory_covered(question.territory, [licensed]):
        failures.append(
            (
                Reason.TERRITORY_NOT_COVERED,
                _("The licence covers %(licensed)s, not %(territory)s.")
                % {"licensed": _label(Territory, licensed), "territory": _label(Territory, question.territory)},
            )
        )
    if question.purpose == Purpose.TRAINING and not terms.get("ai_training"):
        failures.append(
            (
                Reason.TRAINING_NOT_PERMITTED,
                _("The licence does not permit training or fine-tuning a model on the likeness."),
            )
        )
    return failures


def licence_allows(contract: Contract, question: UseQuestion) -> UseAnswer:
    """Whether ``contract`` allows the use in ``question``: every failing
    reason (codes of ``Reason``, in its order) and one message in the
    active language (every reason's sentence, or what is allowed)."""
    failures = _failures(contract, question)
    if failures:
        return UseAnswer(
            allowed=False, reasons=[code for code, _sentence in failures], message=" ".join(s for _c, s in failures)
        )
    return UseAnswer(
        allowed=True,
        reasons=[],
        message=_("Allowed: licence %(code)s covers shot %(shot)s on %(date)s for what you asked.")
        % {"code": contract.licence_code, "shot": question.shot, "date": question.on.isoformat()},
    )
