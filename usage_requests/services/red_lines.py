"""The actor's red lines, checked before a request is written.

``red_line_violations`` lists every reason a request crosses them, in the
active language; ``usage_request_send`` refuses with all of them at once.
"""

from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from actors.models import ActorProfile, RedLines
from creators.models import Project, Shot
from marketplace.categories import ContentCategory
from marketplace.money import to_reference
from marketplace.places import Territory, territory_covered


def term_months(start: date, end: date) -> int:
    """Whole months a licence from ``start`` to ``end`` spans, a started month
    counting as a whole one (1 January to 31 December is 12)."""
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if end.day > start.day:
        months += 1
    return max(months, 1)


def _casefolded(text: str) -> str:
    return " ".join(text.casefold().split())


def red_line_violations(
    *,
    actor: ActorProfile,
    project: Project,
    shots: list[Shot],
    fee: Decimal,
    currency: str,
    term_start: date,
    term_end: date,
    territory: str,
    ai_training: bool,
) -> list[str]:
    """Every reason these terms cross ``actor``'s red lines; empty when none."""
    red_lines = RedLines.objects.filter(actor=actor).first() or RedLines(actor=actor)
    categories = dict(ContentCategory.choices)
    reasons: list[str] = []

    excluded = set(red_lines.excluded_categories)
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

    texts = [(_("the project's title"), project.title), (_("the project's logline"), project.logline)]
    texts += [(_("shot %(number)s") % {"number": shot.number}, shot.description) for shot in shots]
    for keyword in red_lines.blocked_keywords:
        needle = _casefolded(keyword)
        if not needle:
            continue
        for where, text in texts:
            if needle in _casefolded(text):
                reasons.append(
                    _("“%(word)s”, a word the actor blocks, appears in %(where)s.") % {"word": keyword, "where": where}
                )

    if not red_lines.accepted_territories:
        reasons.append(_("The actor has not accepted any territory yet."))
    elif not territory_covered(territory, red_lines.accepted_territories):
        reasons.append(
            _("The actor does not accept distribution in %(territory)s.")
            % {"territory": dict(Territory.choices).get(territory, territory)}
        )

    months = term_months(term_start, term_end)
    if months > actor.max_term_months:
        reasons.append(
            _("The term is %(months)s months; the actor accepts at most %(max)s.")
            % {"months": months, "max": actor.max_term_months}
        )

    if ai_training and not red_lines.ai_training_allowed:
        reasons.append(_("The actor never allows AI training or fine-tuning on their likeness."))

    if actor.min_fee is not None and fee is not None:
        if currency == actor.fee_currency:
            below = Decimal(fee) < actor.min_fee
        else:
            below = to_reference(fee, currency) < (actor.min_fee_usd or Decimal(0))
        if below:
            reasons.append(
                _("The fee is below the actor's minimum of %(fee)s %(currency)s.")
                % {"fee": actor.min_fee, "currency": actor.fee_currency}
            )
    return reasons
