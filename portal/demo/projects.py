"""The demo projects and their shot lists, for ``seed_demo``'s requests.

Each spec belongs to a demo studio by its position in seed_demo's CREATORS;
``demo_project`` creates it (once) through the real services.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from creators.models import CreatorProfile, Project
from creators.services import project_create, shot_add
from marketplace.categories import ContentCategory
from marketplace.places import Territory

PROJECT_DAYS = 400


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


def demo_project(*, creator: CreatorProfile, spec: DemoProject, today: date) -> Project:
    """``creator``'s project titled as ``spec``, created with its shots if missing."""
    project = creator.projects.filter(title=spec.title).first()
    if project is not None:
        return project
    project = project_create(
        creator=creator,
        title=spec.title,
        category=spec.category,
        logline=spec.logline,
        distribution_channels=list(spec.distribution_channels),
        territory=spec.territory,
        ai_tools=spec.ai_tools,
        start_date=today,
        end_date=today + timedelta(days=PROJECT_DAYS),
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
    return project
