"""Demo projects, usage requests, messages and contracts for ``seed_demo``.

Everything goes through the real services, so every row has its timeline,
notifications and red-line checks exactly as a user would have made them.
Terms are fitted to each actor's red lines (territory, fee, term, training);
an actor they cannot fit is skipped for the next one on the list.
"""

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal

from django.utils import timezone

from actors.models import ActorProfile, RedLines
from actors.services import actor_profile_update
from creators.models import CreatorProfile, Project
from creators.services import creator_profile_update, project_create, shot_add
from marketplace.categories import ContentCategory
from marketplace.places import Territory, territory_covered
from usage_requests.models import Contract, ContractStatus, ShotDecision, UsageRequest
from usage_requests.services import (
    contract_sign,
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

# Signatory names for the demo studios, keyed by their position in seed_demo's
# CREATORS (1-based); only set when the studio has none on file.
CREATOR_LEGAL_NAMES = {
    1: "Lumen Pictures Ltd",
    2: "北京星河影业有限公司",
    3: "Pixel Harbor Studio LLC",
    4: "上海光年动画有限公司",
}
# A fee for an actor who has not set a minimum, in their currency.
FEE_WITHOUT_MINIMUM = Decimal("8000")
PROJECT_DAYS = 400
TERM_STARTS_AFTER = timedelta(days=14)


@dataclass(frozen=True)
class DemoShot:
    description: str
    category: str
    likeness_usage: tuple[str, ...]
    duration_seconds: int


@dataclass(frozen=True)
class DemoProject:
    creator: int  # position in seed_demo's CREATORS, 1-based
    title: str
    category: str
    logline: str
    distribution_channels: tuple[str, ...]
    territory: str
    ai_tools: str
    shots: tuple[DemoShot, ...] = field(default=())


FILM, DRAMA, GAME, AD = (
    ContentCategory.FILM,
    ContentCategory.TV_DRAMA,
    ContentCategory.GAME,
    ContentCategory.ADVERTISING,
)

# No shot or logline may contain a keyword a demo actor blocks ("weapons",
# "casino", "赌场", "香烟", "政治") or use a category some exclude.
RAIN = DemoProject(
    creator=2,
    title="雨夜长街 / Rain on the Long Street",
    category=FILM,
    logline="雨夜，一名女剑客独自走过长街，为师父讨回公道。 A swordswoman walks the long street on a rainy night.",
    distribution_channels=("cinema", "streaming"),
    territory=Territory.WORLDWIDE,
    ai_tools="Runway Gen-3, 自研换脸模型",
    shots=(
        DemoShot("远景：雨夜长街，灯笼摇晃，主角撑伞缓步走来。", FILM, ("full_body",), 14),
        DemoShot("Close-up: rain runs down her face as she looks up at the inn sign.", FILM, ("face",), 6),
        DemoShot("中景：客栈门口拔剑对峙，雨水溅起。", FILM, ("face", "full_body"), 18),
        DemoShot("屋顶追逐，轻功飞跃（全身动作）。", FILM, ("full_body",), 22),
        DemoShot("Final close-up: she whispers her master's name. 低声念出师父的名字。", FILM, ("face", "voice"), 8),
    ),
)
CHANGAN = DemoProject(
    creator=2,
    title="长安夜话 / Chang'an Nights",
    category=DRAMA,
    logline=(
        "大唐长安，一位说书人每晚讲一个关于这座城的秘密。"
        " A storyteller reveals one secret of Tang-dynasty Chang'an each night."
    ),
    distribution_channels=("streaming",),
    territory=Territory.CN_MAINLAND,
    ai_tools="Sora (背景扩展), ElevenLabs",
    shots=(
        DemoShot("第一集开场：说书人在茶楼台上拍响醒木。", DRAMA, ("face", "voice"), 20),
        DemoShot("Street market at dusk, the storyteller walks through the crowd.", DRAMA, ("full_body",), 15),
        DemoShot("近景：烛光下读一封旧信。", DRAMA, ("face",), 10),
        DemoShot("旁白：长安的夜，从不真正安静。", DRAMA, ("voice",), 30),
    ),
)
LIGHTHOUSE = DemoProject(
    creator=1,
    title="The Lighthouse Keeper's Daughter",
    category=DRAMA,
    logline="A six-episode streaming drama: a marine biologist returns to the island where her father vanished.",
    distribution_channels=("streaming",),
    territory=Territory.EUROPE,
    ai_tools="Digital double for storm sequences (Unreal Engine MetaHuman)",
    shots=(
        DemoShot("Ep. 1: she steps off the ferry, wind in her hair, wide shot.", DRAMA, ("full_body",), 12),
        DemoShot("Ep. 1: close-up reading her father's last logbook entry.", DRAMA, ("face",), 9),
        DemoShot("Ep. 3: storm on the gallery of the lighthouse, digital double.", DRAMA, ("face", "full_body"), 25),
        DemoShot("Ep. 6: voice-over letter to her father over the closing montage.", DRAMA, ("voice",), 40),
    ),
)
ASHFALL = DemoProject(
    creator=3,
    title="Ashfall: Opening Cinematic",
    category=GAME,
    logline="The opening cinematic of a volcanic-island survival game: a ranger wakes up as the sky turns grey.",
    distribution_channels=("games", "social_video"),
    territory=Territory.WORLDWIDE,
    ai_tools="Motion capture cleaned with AI retargeting; face model rendered in Unreal Engine 5",
    shots=(
        DemoShot("The ranger wakes in a ruined watchtower; ash falls through the roof.", GAME, ("face",), 10),
        DemoShot("Full-body mocap: climbing down the tower ladder.", GAME, ("full_body",), 16),
        DemoShot("Running across the lava field, camera tracking from the side.", GAME, ("full_body",), 12),
        DemoShot("Close-up: she checks a cracked radio and calls for the rescue team.", GAME, ("face", "voice"), 9),
        DemoShot("Title card reveal, her silhouette against the eruption.", GAME, ("full_body",), 6),
        DemoShot("Voice line for the trailer: 'The island is waking. So am I.'", GAME, ("voice",), 4),
    ),
)
TEA = DemoProject(
    creator=4,
    title="晨光茶饮 · 春季广告 / Morning Light Tea spring spot",
    category=AD,
    logline="15 秒春季新品广告：清晨的第一杯茶。 A 15-second spot for the spring tea range.",
    distribution_channels=("advertising", "social_video"),
    territory=Territory.CN_MAINLAND,
    ai_tools="AI 生成背景与产品合成",
    shots=(
        DemoShot("清晨窗边，主角端起茶杯微笑（近景）。", AD, ("face",), 5),
        DemoShot("Walking through a spring tea garden, full body.", AD, ("full_body",), 6),
        DemoShot("结尾口播：“晨光，每一天的开始。”", AD, ("face", "voice"), 4),
    ),
)
PROJECTS = (RAIN, CHANGAN, LIGHTHOUSE, ASHFALL, TEA)


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
            project = creator.projects.filter(title=spec.title).first()
            if project is None:
                project = project_create(
                    creator=creator,
                    title=spec.title,
                    category=spec.category,
                    logline=spec.logline,
                    distribution_channels=list(spec.distribution_channels),
                    territory=spec.territory,
                    ai_tools=spec.ai_tools,
                    start_date=self.today,
                    end_date=self.today + timedelta(days=PROJECT_DAYS),
                    status=Project.Status.ACTIVE,
                )
                for number, shot in enumerate(spec.shots, start=1):
                    shot_add(
                        project=project,
                        number=number,
                        description=shot.description,
                        category=shot.category,
                        likeness_usage=list(shot.likeness_usage),
                        duration_seconds=shot.duration_seconds,
                    )
            self.projects[spec.title] = project
        return self.projects[spec.title]

    # Terms that fit the actor -----------------------------------------------

    def terms_for(
        self, actor: ActorProfile, project: Project, *, months: int, fee_factor: str, ai_training: bool = False
    ) -> dict:
        red_lines = RedLines.objects.filter(actor=actor).first() or RedLines(actor=actor)
        accepted = red_lines.accepted_territories
        territory = project.territory
        if accepted and not territory_covered(territory, accepted):
            territory = accepted[0]
        start = self.today + TERM_STARTS_AFTER
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
    ) -> UsageRequest:
        """Send the whole shot list to the ``prefer``-th actor (1-based), or
        the next one whose red lines these terms fit."""
        project = self.project(spec)
        shots = list(project.shots.all())
        candidates = self.actors[prefer - 1 :] + self.actors[: prefer - 1]
        for actor in candidates:
            if actor.pk in self.used or not actor.is_listed:
                continue
            terms = self.terms_for(actor, project, months=months, fee_factor=fee_factor, ai_training=ai_training)
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
        actor, creator = contract.actor, contract.creator
        if not actor.legal_name.strip():
            actor = actor_profile_update(actor=actor, data={"legal_name": actor.stage_name})
        if not creator.legal_name.strip():
            position = next(i for i, c in enumerate(self.creators, start=1) if c.pk == creator.pk)
            creator = creator_profile_update(
                profile=creator,
                display_name=creator.display_name,
                studio=creator.studio,
                legal_name=CREATOR_LEGAL_NAMES.get(position, creator.display_name),
                website=creator.website,
                bio=creator.bio,
                country=creator.country,
                contact_preference=creator.contact_preference,
            )
        contract_sign(contract=contract, user=actor.user, typed_name=actor.legal_name, consent=True)
        contract_sign(contract=contract, user=creator.user, typed_name=creator.legal_name, consent=True)
        contract.refresh_from_db()
        return contract

    # The demo ---------------------------------------------------------------

    def run(self) -> None:
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

        # Active: accepted with one shot vetoed, signed by both.
        vetoed = self.send(RAIN, prefer=13, months=12, message="想请您出演师姐一角。")
        self.approve_all(vetoed, veto={4: "屋顶戏请用替身，我不做全身动捕。"})
        self.talk(
            vetoed,
            ("actor", "其他镜头都没问题，第四镜请用替身。"),
            ("creator", "好的，第四镜改用替身。Thanks for the quick decision!"),
        )
        self.sign_both(self.accept(vetoed))

        # Active: every shot approved, AI training allowed where the actor permits it.
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
    active contracts (moderation's demo disputes the last). Does nothing (returns False) once any demo creator has a
    request. ``creators`` and ``actors`` are in seed_demo's order."""
    if UsageRequest.objects.filter(creator__in=creators).exists():
        return False
    DemoSeeder(creators=creators, actors=actors).run()
    return True


def demo_active_contracts(*, creators: list[CreatorProfile]) -> list[Contract]:
    """The demo creators' active licences, oldest first."""
    return list(
        Contract.objects.filter(creator__in=creators, status=ContractStatus.ACTIVE)
        .select_related("actor", "creator", "project")
        .order_by("activated_at", "id")
    )
