"""The actor's red lines, checked before a request is written.

``red_line_violations`` lists every reason a request crosses them, in the
active language; ``usage_requests_send`` refuses with all of them at once.
"""

from datetime import date
from decimal import Decimal
from typing import Unpack

from django.utils.translation import gettext as _

from actors.models import ActorProfile, RedLines
from creators.models import Project, Shot
from marketplace.categories import ContentCategory
from marketplace.money import to_reference
from marketplace.places import Territory, territory_covered
from usage_requests.services.terms import ProposedTerms, term_months

__all__ = ["red_line_violations", "term_months"]


def _casefolded(text: str) -> str:
    return " ".join(text.casefold().split())


def red_line_violations(
    *, actor: ActorProfile, project: Project, shots: list[Shot], **terms: Unpack[ProposedTerms]
) -> list[str]:
    """Every reason these terms cross ``actor``'s red lines; empty when none."""
    red_lines = RedLines.objects.filter(actor=actor).first() or RedLines(actor=actor)
    return [
        *_category_reasons(red_lines, project, shots),
        *_keyword_reasons(red_lines, project, shots),
        *_territory_reasons(red_lines, terms["territory"]),
        *_term_reasons(actor, terms["term_start"], terms["term_end"]),
        *_training_reasons(red_lines, terms.get("ai_training", False)),
        *_fee_reasons(actor, terms["fee"], terms["currency"]),
    ]


def _category_reasons(red_lines: RedLines, project: Project, shots: list[Shot]) -> list[str]:
    categories = dict(ContentCategory.choices)
    excluded = set(red_lines.excluded_categories)
    reasons = []
    if project.category in excluded:
        reasons.append(
            _("The actor never accepts %(category)s content, and that is the project's category.")
            % {"category": categories.get(project.category, project.category)}
        )
    for shot in shots:
        if shot.category in excluded and shot.category != project.category:
            reasons.append(
                _("Shot %(number)s is %(category)s content, which the actor never accepts.")
                % {"number": shot.number, "category": categories.get(shot.category, shot.category)}
            )
    return reasons


def _keyword_reasons(red_lines: RedLines, project: Project, shots: list[Shot]) -> list[str]:
    texts = [(_("the project's title"), project.title), (_("the project's logline"), project.logline)]
    texts += [(_("shot %(number)s") % {"number": shot.number}, shot.description) for shot in shots]
    reasons = []
    for keyword in red_lines.blocked_keywords:
        needle = _casefolded(keyword)
        if not needle:
            continue
        for where, text in texts:
            if needle in _casefolded(text):
                reasons.append(
                    _("“%(word)s”, a word the actor blocks, appears in %(where)s.") % {"word": keyword, "where": where}
                )
    return reasons


def _territory_reasons(red_lines: RedLines, territory: str) -> list[str]:
    if not red_lines.accepted_territories:
        return [_("The actor has not accepted any territory yet.")]
    if not territory_covered(territory, red_lines.accepted_territories):
        if territory == Territory.WORLDWIDE:
            return [_("The actor does not accept worldwide distribution: name the territories they accept.")]
        return [
            _("The actor does not accept distribution in %(territory)s.")
            % {"territory": dict(Territory.choices).get(territory, territory)}
        ]
    return []


def _term_reasons(actor: ActorProfile, term_start: date, term_end: date) -> list[str]:
    months = term_months(term_start, term_end)
    if months > actor.max_term_months:
        return [
            _("The term is %(months)s months; the actor accepts at most %(max)s.")
            % {"months": months, "max": actor.max_term_months}
        ]
    return []


def _training_reasons(red_lines: RedLines, ai_training: bool) -> list[str]:
    if ai_training and not red_lines.ai_training_allowed:
        return [_("The actor never allows AI training or fine-tuning on their likeness.")]
    return []


def _fee_reasons(actor: ActorProfile, fee: Decimal, currency: str) -> list[str]:
    if actor.min_fee is None or fee is None:
        return []
    if currency == actor.fee_currency:
        below = Decimal(fee) < actor.min_fee
    else:
        below = to_reference(fee, currency) < (actor.min_fee_usd or Decimal(0))
    if below:
        return [
            _("The fee is below the actor's minimum of %(fee)s %(currency)s.")
            % {"fee": actor.min_fee, "currency": actor.fee_currency}
        ]
    return []
