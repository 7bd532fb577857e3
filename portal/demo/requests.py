"""Demo projects, usage requests, messages and contracts for ``seed_demo``.

Everything goes through the real services, so every row has its timeline,
notifications and red-line checks exactly as a user would have made them.
Terms are fitted to each actor's red lines (territory, fee, term, training);
an actor they cannot fit is skipped for the next one on the list.
"""

import calendar
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal
from typing import Any

from django.utils import timezone

from actors.models import ActorProfile, RedLines
from creators.models import CreatorProfile, Project
from marketplace.places import territory_covered
from portal.demo.contracts import demo_contract_sign_both
from portal.demo.outputs import demo_outputs_seed
from portal.demo.projects import ASHFALL, CHANGAN, LIGHTHOUSE, RAIN, TEA, DemoProject, demo_project
from usage_requests.models import Contract, ShotDecision, UsageRequest
from usage_requests.services import (
    message_send,
    red_line_violations,
    usage_request_accept,
    usage_request_accept_counter,
    usage_request_counter,
    usage_request_decide_shots,
    usage_request_decline,
    usage_request_send,
    usage_request_withdraw,
)
from usage_requests.services.sweeps import usage_request_expire

__all__ = ["RAIN", "demo_requests_seed", "months_later"]

# A fee for an actor who has not set a minimum, in their currency.
FEE_WITHOUT_MINIMUM = Decimal("8000")
TERM_STARTS_AFTER = timedelta(days=14)


def months_later(start: date, months: int) -> date:
    """The last day of a licence of ``months`` whole months from ``start``."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return date(year, month, day) - timedelta(days=1)


def _round_up(amount: Decimal, step: int = 100) -> Decimal:
    return (amount / step).to_integral_value(rounding=ROUND_CEILING) * step


class DemoSeeder:
    """Builds the demo requests for the given demo creators and actors."""

    def __init__(self, *, creators: list[CreatorProfile], actors: list[ActorProfile]):
        self.creators = creators
        self.actors = actors
        self.today = timezone.localdate()
        self.projects: dict[str, Project] = {}
        self.used: set[int] = set()

    # Projects ---------------------------------------------------------------

    def project(self, spec: DemoProject) -> Project:
        if spec.title not in self.projects:
            creator = self.creators[spec.creator - 1]
            self.projects[spec.title] = demo_project(creator=creator, spec=spec, today=self.today)
        return self.projects[spec.title]

    # Terms that fit the actor -----------------------------------------------

    def terms_for(
        self,
        actor: ActorProfile,
        project: Project,
        *,
        months: int,
        fee_factor: str,
        ai_training: bool = False,
        starts_after: timedelta = TERM_STARTS_AFTER,
    ) -> dict[str, Any]:
        red_lines = RedLines.objects.filter(actor=actor).first() or RedLines(actor=actor)
        accepted = red_lines.accepted_territories
        territory = project.territory
        if accepted and not territory_covered(territory, accepted):
            territory = accepted[0]
        start = self.today + starts_after
        end = months_later(start, min(months, actor.max_term_months))
        if project.end_date and end > project.end_date:
            end = project.end_date
        minimum = actor.min_fee if actor.min_fee is not None else FEE_WITHOUT_MINIMUM
        return {
            "fee": _round_up(minimum * Decimal(fee_factor)),
            "currency": actor.fee_currency,
            "term_start": start,
            "term_end": end,
            "territory": territory,
            "ai_training": ai_training and red_lines.ai_training_allowed,
        }

    def send(
        self,
        spec: DemoProject,
        *,
        prefer: int,
        message: str,
        months: int = 12,
        fee_factor: str = "1.2",
        ai_training: bool = False,
        starts_after: timedelta = TERM_STARTS_AFTER,
    ) -> UsageRequest:
        """Send the whole shot list to the ``prefer``-th actor (1-based), or
        the next one whose red lines these terms fit; the term starts
        ``starts_after`` today."""
        project = self.project(spec)
        shots = list(project.shots.all())
        candidates = self.actors[prefer - 1 :] + self.actors[: prefer - 1]
        for actor in candidates:
            if actor.pk in self.used or not actor.is_listed:
                continue
            terms = self.terms_for(
                actor, project, months=months, fee_factor=fee_factor, ai_training=ai_training, starts_after=starts_after
            )
            if red_line_violations(actor=actor, project=project, shots=shots, **terms):
                continue
            self.used.add(actor.pk)
            return usage_request_send(
                creator=project.creator, actor=actor, project=project, shots=shots, message=message, **terms
            )
        raise LookupError(f"No demo actor's red lines fit {spec.title!r}.")

    # Moves ------------------------------------------------------------------

    @staticmethod
    def decide(request: UsageRequest, decisions: dict[int, tuple[str, str]]) -> None:
        """``decisions`` by shot number; shots left out stay undecided."""
        rows = {row.shot.number: row.pk for row in request.request_shots.select_related("shot")}
        usage_request_decide_shots(
            request=request,
            user=request.actor.user,
            decisions={rows[number]: decision for number, decision in decisions.items()},
        )

    def approve_all(self, request: UsageRequest, *, veto: dict[int, str] | None = None) -> None:
        veto = veto or {}
        numbers = request.request_shots.values_list("shot__number", flat=True)
        self.decide(
            request,
            {
                number: (ShotDecision.VETOED, veto[number]) if number in veto else (ShotDecision.APPROVED, "")
                for number in numbers
            },
        )

    @staticmethod
    def counter(request: UsageRequest, *, fee_factor: str, note: str) -> None:
        terms = request.terms.get(version=request.terms_version)
        usage_request_counter(
            request=request,
            user=request.actor.user,
            terms_version=request.terms_version,
            fee=_round_up(terms.fee * Decimal(fee_factor)),
            currency=terms.currency,
            term_start=terms.term_start,
            term_end=terms.term_end,
            territory=terms.territory,
            ai_training=terms.ai_training,
            note=note,
        )
        request.refresh_from_db()

    @staticmethod
    def talk(request: UsageRequest, *lines: tuple[str, str]) -> None:
        """Messages in order, each ``("actor" | "creator", body)``."""
        for party, body in lines:
            user = request.actor.user if party == "actor" else request.creator.user
            message_send(request=request, user=user, body=body)

    def accept(self, request: UsageRequest) -> Contract:
        request.refresh_from_db()
        return usage_request_accept(request=request, user=request.actor.user, terms_version=request.terms_version)

    def sign_both(self, contract: Contract) -> Contract:
        return demo_contract_sign_both(contract=contract, creators=self.creators)

    # The demo ---------------------------------------------------------------

    def run(self) -> None:
        """Every status of the demo, in this order: the actors each step
        prefers depend on those the earlier steps used."""
        self.seed_pending()
        self.seed_negotiated()
        self.seed_closed()
        self.seed_active()

    def seed_pending(self) -> None:
        """Two pending requests: one untouched, one halfway decided."""
        # Pending, untouched, with a conversation under way.
        pending = self.send(
            RAIN,
            prefer=1,
            months=12,
            message="您好！我们在拍一部武侠短片，想请您出演女剑客的雨夜戏份。所有镜头都附上了说明。",
        )
        self.talk(
            pending,
            ("actor", "第四镜的屋顶轻功需要我本人做全身动作捕捉吗？"),
            ("creator", "需要一次半天的动捕，其余由数字替身完成。Happy to share the mocap schedule."),
        )

        # Pending, the actor halfway through deciding the shots.
        halfway = self.send(
            LIGHTHOUSE,
            prefer=2,
            months=6,
            message="We'd love your face and voice for Nora. The storm shot uses a digital double only.",
        )
        self.decide(
            halfway,
            {
                1: (ShotDecision.APPROVED, ""),
                2: (ShotDecision.APPROVED, "Fine as described."),
                3: (ShotDecision.VETOED, "No digital double in the storm scene, please."),
            },
        )

    def seed_negotiated(self) -> None:
        """A counter-offer awaiting the creator, and one accepted (the
        contract awaits both signatures)."""
        # Countered: the actor wants a higher fee; the creator has to answer.
        countered = self.send(
            ASHFALL,
            prefer=4,
            months=6,
            message="Opening cinematic of our survival game: face, mocap and one voice line.",
        )
        self.talk(countered, ("actor", "Six shots including mocap days is more than a usual cinematic."))
        self.counter(countered, fee_factor="1.5", note="Mocap days are extra; this covers two sessions.")
        self.talk(countered, ("creator", "Understood, we are checking the budget and will reply this week."))

        # Accepted after a counter-offer; the contract awaits both signatures.
        awaiting = self.send(
            TEA, prefer=7, months=6, message="春季新品广告，三个镜头，拍摄一天。期待合作！", fee_factor="1.1"
        )
        self.counter(awaiting, fee_factor="1.3", note="口播镜头需另计配音费用。")
        awaiting.refresh_from_db()
        usage_request_accept_counter(request=awaiting, user=awaiting.creator.user, terms_version=awaiting.terms_version)
        self.approve_all(awaiting)
        self.accept(awaiting)
        self.talk(awaiting, ("creator", "合同已生成，请在七天内签署。 The contract is ready to sign."))

    def seed_closed(self) -> None:
        """Requests that ended without a contract: declined, withdrawn, expired."""
        # Declined, with the reason the creator reads.
        declined = self.send(CHANGAN, prefer=3, months=12, message="说书人一角，四个镜头，期待您的声音。")
        self.talk(declined, ("actor", "谢谢邀请，不过我先看看档期。"))
        usage_request_decline(
            request=declined,
            user=declined.actor.user,
            reason="档期冲突，今年下半年在外地拍戏。 Schedule clash: I am on location for the rest of the year.",
        )

        # Withdrawn by the creator.
        withdrawn = self.send(LIGHTHOUSE, prefer=8, months=12, message="A supporting role: the ferry captain.")
        usage_request_withdraw(
            request=withdrawn, user=withdrawn.creator.user, reason="The ferry captain was cut in the rewrite."
        )

        # Expired: nobody answered in time (the sweep, run at the deadline).
        expired = self.send(ASHFALL, prefer=6, months=12, message="Secondary ranger role, two voice lines.")
        usage_request_expire(request_id=expired.pk, now=expired.expires_at + timedelta(seconds=1))

    def seed_active(self) -> None:
        """Three contracts signed by both: the first in force from today (so a
        licensed download can be tried at once, with generated outputs in
        each review state), the second starting in two
        weeks; moderation disputes the third."""
        # In force today: accepted with one shot vetoed, signed by both.
        vetoed = self.send(RAIN, prefer=13, months=12, message="想请您出演师姐一角。", starts_after=timedelta(0))
        self.approve_all(vetoed, veto={4: "屋顶戏请用替身，我不做全身动捕。"})
        self.talk(
            vetoed,
            ("actor", "其他镜头都没问题，第四镜请用替身。"),
            ("creator", "好的，第四镜改用替身。Thanks for the quick decision!"),
        )
        in_force = self.sign_both(self.accept(vetoed))
        # What the studio generated under it: approved, rejected, a video waiting.
        demo_outputs_seed(contract=in_force)

        # Signed, starting in two weeks: every shot approved, AI training allowed where the actor permits it.
        full = self.send(
            ASHFALL,
            prefer=16,
            months=12,
            fee_factor="1.4",
            ai_training=True,
            message="Lead ranger: all six shots, and a fine-tuned face model for the sequels if you allow it.",
        )
        self.approve_all(full)
        self.sign_both(self.accept(full))

        # Active, then disputed: moderation's demo data opens a dispute on it
        # (the actor says a vetoed shot was used), which suspends it.
        disputed = self.send(LIGHTHOUSE, prefer=11, months=6, message="Harbour master cameo: the shots on the pier.")
        self.approve_all(disputed)
        self.sign_both(self.accept(disputed))


def demo_requests_seed(*, creators: list[CreatorProfile], actors: list[ActorProfile]) -> bool:
    """Create the demo projects, requests in every status, messages and three
    signed contracts, one in force today (moderation's demo disputes the last).
    Does nothing (returns False) once any demo creator has a request.
    ``creators`` and ``actors`` are in seed_demo's order."""
    if UsageRequest.objects.filter(creator__in=creators).exists():
        return False
    DemoSeeder(creators=creators, actors=actors).run()
    return True
