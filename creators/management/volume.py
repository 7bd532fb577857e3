"""The builders of ``seed_volume``: who each synthetic actor is (``person``)
and the shared photo files and rows (``ensure_photo_files``, ``shared_photo``).

Load data only: see the command's docstring for what is seeded and why the
photo files are shared.
"""

import io
import random
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.base import CommandError
from django.utils.text import slugify
from PIL import Image, ImageDraw, ImageOps

from actors.models import ActorProfile, LikenessPhoto
from actors.services.photos import PREVIEW_SIZE, THUMBNAIL_SIZE, watermark
from marketplace.money import to_reference

EMAIL_DOMAIN = "volume.consentcast.localhost"
# In every seeded address ("actor7-v2@…"): a benchmark database seeded by an
# older version is seeded again. 2: some Chinese actors go by a pinyin stage
# name ("Lin Xiaoyu"), as many do abroad.
SEED_VERSION = 2
PHOTO_DIR = "likeness/volume"
PHOTO_VARIANTS = 8

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢"
GIVEN = "晓雨思远一凡子涵若彤景明梓萱浩然佳怡天宇诗琪晨阳雅婷俊杰欣然嘉怡宇轩子墨梦琪雨桐博文语嫣志强秀英丽华建国海燕"
FIRST_NAMES = [
    "Maya",
    "Lucas",
    "Aiko",
    "Daniel",
    "Priya",
    "Sofia",
    "Kwame",
    "Elena",
    "Mateo",
    "Hana",
    "Oliver",
    "Amara",
    "Jonas",
    "Isabella",
    "Noah",
    "Chloe",
    "Ravi",
    "Ingrid",
    "Tomás",
    "Leila",
    "Marcus",
    "Yara",
    "Felix",
    "Nadia",
    "Hugo",
    "Zara",
    "Omar",
    "Greta",
    "Luca",
    "Ines",
    "Theo",
    "Mei",
    "Arjun",
    "Clara",
    "Diego",
    "Freya",
    "Kenji",
    "Lena",
]
LAST_NAMES = [
    "Okafor",
    "Moreau",
    "Tanaka",
    "Reyes",
    "Nair",
    "Lindqvist",
    "Mensah",
    "Petrova",
    "García",
    "Kim",
    "Brennan",
    "Diallo",
    "Weber",
    "Rossi",
    "Fischer",
    "Dubois",
    "Kowalski",
    "Haddad",
    "Silva",
    "Novak",
    "Jensen",
    "Romero",
    "Sato",
    "Park",
    "Müller",
    "Costa",
    "Ivanova",
    "Andersen",
    "Hughes",
    "Laurent",
    "Bianchi",
    "Khan",
]
PINYIN_SURNAMES = ["Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu", "Sun", "Lin"]
PINYIN_GIVEN = [
    "Xiaoyu",
    "Siyuan",
    "Yifan",
    "Zihan",
    "Ruotong",
    "Jingming",
    "Zixuan",
    "Haoran",
    "Jiayi",
    "Tianyu",
    "Shiqi",
    "Chenyang",
    "Yating",
    "Junjie",
    "Xinran",
]
SKILLS_ZH = [
    "武术",
    "马术",
    "京剧",
    "舞蹈",
    "古筝",
    "书法",
    "太极拳",
    "游泳",
    "唱歌",
    "配音",
    "击剑",
    "杂技",
    "方言",
    "滑雪",
]
SKILLS_EN = [
    "horse riding",
    "stage combat",
    "ballet",
    "fencing",
    "singing",
    "voice acting",
    "martial arts",
    "swimming",
    "piano",
    "improv",
    "stunt driving",
    "motion capture",
    "sign language",
    "skateboarding",
]
HEADLINES_ZH = ["动作演员", "话剧演员", "影视演员", "配音演员", "舞蹈演员", "新人演员", "喜剧演员", "武打替身"]
HEADLINES_EN = [
    "Stunt performer",
    "Stage and screen actor",
    "Voice and motion-capture artist",
    "Character actor",
    "Comedic performer",
    "Dancer and actor",
    "Fight double",
    "Commercial model and actor",
]
PLACES_ZH = [
    ("CN", "北京"),
    ("CN", "上海"),
    ("CN", "广州"),
    ("CN", "成都"),
    ("CN", "杭州"),
    ("HK", "香港"),
    ("TW", "台北"),
]
PLACES_EN = [
    ("US", "Los Angeles"),
    ("US", "New York"),
    ("GB", "London"),
    ("FR", "Paris"),
    ("DE", "Berlin"),
    ("ES", "Madrid"),
    ("JP", "Tokyo"),
    ("KR", "Seoul"),
    ("SG", "Singapore"),
    ("AU", "Sydney"),
    ("CA", "Toronto"),
    ("NG", "Lagos"),
]
CURRENCY_OF = {"CN": "CNY", "HK": "HKD", "TW": "USD", "US": "USD", "GB": "GBP", "FR": "EUR", "DE": "EUR", "ES": "EUR"}
CURRENCY_OF |= {"JP": "JPY", "KR": "KRW", "SG": "USD", "AU": "USD", "CA": "USD", "NG": "USD"}
# Typical minimum fee per currency unit scale (roughly 50 to 5,000 USD).
FEE_RANGE = {
    "CNY": (300, 30000),
    "HKD": (400, 40000),
    "USD": (50, 5000),
    "GBP": (40, 4000),
    "EUR": (45, 4500),
    "JPY": (7000, 700000),
    "KRW": (60000, 6000000),
}
SENSITIVE = ["political", "adult", "religious", "alcohol_tobacco", "gambling", "medical_claims"]
TERRITORIES = ["worldwide", "cn_mainland", "hk_mo_tw", "east_asia", "southeast_asia", "north_america", "europe"]


def person(rng: random.Random, index: int) -> dict[str, Any]:
    """Everything about one seeded actor, from the random stream."""
    chinese = rng.random() < 0.5
    if chinese:
        name = rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2))))
        if rng.random() < 0.2:
            name = f"{rng.choice(PINYIN_SURNAMES)} {rng.choice(PINYIN_GIVEN)}"
        skills = rng.sample(SKILLS_ZH, rng.randint(1, 3)) + rng.sample(SKILLS_EN, rng.randint(0, 1))
        headline = rng.choice(HEADLINES_ZH)
        country, city = rng.choice(PLACES_ZH)
        languages = ["zh", *rng.sample(["yue", "en", "ja", "ko"], rng.randint(0, 2))]
        bio = f"{name}，{city}{headline}。擅长{'、'.join(skills)}。"
        language = "zh-hans"
    else:
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        skills = rng.sample(SKILLS_EN, rng.randint(1, 3)) + rng.sample(SKILLS_ZH, rng.randint(0, 1))
        headline = rng.choice(HEADLINES_EN)
        country, city = rng.choice(PLACES_EN)
        languages = ["en", *rng.sample(["fr", "es", "de", "ja", "ko", "zh", "pt", "it"], rng.randint(0, 2))]
        bio = f"{headline} based in {city}. Skills: {', '.join(skills)}.\nAvailable for AI-assisted productions."
        language = "en"
    gender = rng.choices(["female", "male", "non_binary", "unspecified"], weights=[45, 45, 5, 5])[0]
    age_min = age_max = None
    if rng.random() < 0.9:
        age_min = rng.randint(16, 60)
        age_max = min(100, age_min + rng.randint(4, 15))
    min_fee = fee_usd = None
    currency = CURRENCY_OF.get(country, "USD")
    if rng.random() < 0.9:
        low, high = FEE_RANGE[currency]
        min_fee = Decimal(round(low * (high / low) ** rng.random(), -1 if high > 10000 else 0)).quantize(Decimal("1"))
        fee_usd = to_reference(min_fee, currency)
    return {
        "email": f"actor{index}-v{SEED_VERSION}@{EMAIL_DOMAIN}",
        "language": language,
        "photo": rng.randrange(PHOTO_VARIANTS) if index % 5 else None,
        "profile": {
            "stage_name": name,
            "slug": f"vol-{index}-{slugify(name)}".rstrip("-"),
            "headline": headline,
            "bio": bio,
            "languages": languages,
            "gender": gender,
            "playing_age_min": age_min,
            "playing_age_max": age_max,
            "city": city,
            "country": country,
            "skills": ", ".join(skills),
            "min_fee": min_fee,
            "fee_currency": currency,
            "min_fee_usd": fee_usd,
            "max_term_months": rng.choice((6, 12, 12, 24, 36)),
        },
        "red_lines": {
            "excluded_categories": sorted(rng.sample(SENSITIVE, rng.randint(0, 4))),
            "accepted_territories": sorted(rng.sample(TERRITORIES, rng.randint(1, 3))),
            "ai_training_allowed": rng.random() < 0.15,
        },
    }


def ensure_photo_files() -> list[dict[str, Any]]:
    """The shared renditions: drawn once, reused by every seeded photo row."""
    variants = []
    for number in range(PHOTO_VARIANTS):
        names = {kind: f"{PHOTO_DIR}/{kind}/{number}.jpg" for kind in ("original", "thumbnail", "preview")}
        if not all(default_storage.exists(name) for name in names.values()):
            image = _portrait(number)
            renditions = {
                "original": image,
                "thumbnail": ImageOps.fit(image, THUMBNAIL_SIZE, method=Image.Resampling.LANCZOS),
                "preview": watermark(_fit_within(image, PREVIEW_SIZE)),
            }
            for kind, picture in renditions.items():
                if default_storage.exists(names[kind]):
                    default_storage.delete(names[kind])
                stored = default_storage.save(names[kind], ContentFile(_jpeg(picture)))
                if stored != names[kind]:
                    raise CommandError(f"Could not store {names[kind]} (got {stored}).")
        variants.append({**names, "size": default_storage.size(names["original"]), "width": 480, "height": 600})
    return variants


def shared_photo(actor: ActorProfile, variant: dict[str, Any]) -> LikenessPhoto:
    return LikenessPhoto(
        actor=actor,
        original=variant["original"],
        thumbnail=variant["thumbnail"],
        preview=variant["preview"],
        content_type="image/jpeg",
        width=variant["width"],
        height=variant["height"],
        byte_size=variant["size"],
        position=1,
        is_primary=True,
        renditions=LikenessPhoto.Renditions.READY,
        review=LikenessPhoto.Review.CLEAR,
    )


def _portrait(number: int) -> Image.Image:
    """A plain head-and-shoulders silhouette on a coloured background."""
    rng = random.Random(number)
    background = tuple(rng.randrange(60, 200) for _ in range(3))
    figure = tuple(rng.randrange(20, 90) for _ in range(3))
    image = Image.new("RGB", (480, 600), background)
    draw = ImageDraw.Draw(image)
    draw.ellipse([150, 110, 330, 320], fill=figure)
    draw.ellipse([70, 330, 410, 760], fill=figure)
    return image


def _fit_within(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    copy = image.copy()
    copy.thumbnail(size, Image.Resampling.LANCZOS)
    return copy


def _jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()
