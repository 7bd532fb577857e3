"""Demo likeness portraits and profile details for ``seed_demo`` and
``seed_volume``: drawn with Pillow, so no real person's face is in the repo."""

import io
import random
from decimal import Decimal

from PIL import Image, ImageDraw, ImageFilter

from marketplace.categories import ContentCategory
from marketplace.places import Territory

SKIN = [(241, 204, 177), (224, 172, 105), (198, 134, 66), (141, 85, 36), (255, 219, 172), (234, 192, 134)]
HAIR = [(20, 20, 20), (60, 40, 30), (110, 70, 40), (200, 160, 90), (150, 40, 30), (90, 90, 90)]
BACKDROP = [(52, 73, 94), (22, 160, 133), (142, 68, 173), (41, 128, 185), (192, 57, 43), (127, 140, 141)]


def portrait(seed: int, size: tuple[int, int] = (600, 800)) -> bytes:
    """A stylised head-and-shoulders portrait as JPEG bytes; each seed draws a
    different one (different hashes, so demo photos are not near-duplicates)."""
    rng = random.Random(seed)
    width, height = size
    image = Image.new("RGB", size, rng.choice(BACKDROP))
    draw = ImageDraw.Draw(image)
    for _ in range(6):
        x, y = rng.randrange(width), rng.randrange(height)
        r = rng.randrange(40, 220)
        shade = tuple(min(255, c + rng.randrange(-40, 60)) for c in rng.choice(BACKDROP))
        draw.ellipse([x - r, y - r, x + r, y + r], fill=shade)
    image = image.filter(ImageFilter.GaussianBlur(18))
    draw = ImageDraw.Draw(image)
    skin, hair = rng.choice(SKIN), rng.choice(HAIR)
    cx = width // 2 + rng.randrange(-40, 40)
    head_w, head_h = rng.randrange(200, 250), rng.randrange(260, 320)
    top = rng.randrange(140, 200)
    shirt = tuple(rng.randrange(30, 230) for _ in range(3))
    draw.ellipse([cx - 260, top + head_h + 40, cx + 260, height + 300], fill=shirt)
    draw.rectangle([cx - 45, top + head_h - 30, cx + 45, top + head_h + 80], fill=skin)
    draw.ellipse([cx - head_w // 2 - 18, top - 30, cx + head_w // 2 + 18, top + head_h // 2 + 40], fill=hair)
    draw.ellipse([cx - head_w // 2, top, cx + head_w // 2, top + head_h], fill=skin)
    if rng.random() < 0.5:
        draw.rectangle([cx - head_w // 2 - 18, top + head_h // 3, cx - head_w // 2 + 8, top + head_h + 60], fill=hair)
        draw.rectangle([cx + head_w // 2 - 8, top + head_h // 3, cx + head_w // 2 + 18, top + head_h + 60], fill=hair)
    eye_y = top + head_h * 2 // 5
    for side in (-1, 1):
        ex = cx + side * head_w // 5
        draw.ellipse([ex - 16, eye_y - 9, ex + 16, eye_y + 9], fill=(255, 255, 255))
        draw.ellipse([ex - 7, eye_y - 7, ex + 7, eye_y + 7], fill=(40, 30, 20))
        draw.line([ex - 20, eye_y - 24, ex + 18, eye_y - 28 + rng.randrange(8)], fill=hair, width=6)
    draw.line([cx, eye_y + 10, cx - 8, eye_y + 60], fill=tuple(c - 30 for c in skin), width=4)
    mouth_y = top + head_h * 7 // 10
    draw.arc([cx - 40, mouth_y - 20, cx + 40, mouth_y + 20], 20, 160, fill=(150, 60, 60), width=5)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=88)
    return buffer.getvalue()


ZH_HEADLINES = ["古装剧女主角，擅长武打戏", "都市剧演员，镜头感强", "话剧演员，声音表现力丰富", "广告模特与短视频演员"]
EN_HEADLINES = [
    "Screen actor with stunt training",
    "Character actor for drama and comedy",
    "Voice and motion-capture performer",
    "Commercial and music-video talent",
]
ZH_SKILLS = ["武术", "古典舞", "骑马", "京剧", "配音", "书法", "游泳", "太极"]
EN_SKILLS = ["stage combat", "horse riding", "ballet", "singing", "voice acting", "fencing", "motion capture", "piano"]
ZH_BIOS = [
    "毕业于北京电影学院表演系，参演多部古装剧和网络电影。只接受经过我逐个镜头批准的使用。",
    "上海话剧演员，十年舞台经验。希望与认真对待演员同意权的创作者合作。",
]
EN_BIOS = [
    "Trained at drama school, ten years on stage and screen. I license my likeness shot by shot and expect "
    "creators to respect my red lines.",
    "Stunt-trained actor working across film, games and commercials. Happy to discuss motion-capture work.",
]
CITIES = [("北京", "CN"), ("上海", "CN"), ("Hong Kong", "HK"), ("London", "GB"), ("Los Angeles", "US"), ("Paris", "FR")]


def demo_profile(seed: int, *, chinese: bool) -> dict:
    """Realistic, varied profile fields for a demo actor."""
    rng = random.Random(seed)
    low = rng.randrange(18, 50)
    city, country = rng.choice(CITIES[:3] if chinese else CITIES[3:])
    skills = [*rng.sample(ZH_SKILLS, 2), *rng.sample(EN_SKILLS, 1)] if chinese else rng.sample(EN_SKILLS, 3)
    languages = ["zh", "en"] if chinese else ["en", *rng.sample(["fr", "es", "ja", "de"], 1)]
    return {
        "headline": rng.choice(ZH_HEADLINES if chinese else EN_HEADLINES),
        "bio": rng.choice(ZH_BIOS if chinese else EN_BIOS),
        "languages": languages,
        "gender": rng.choice(["female", "male", "non_binary"]),
        "playing_age_min": low,
        "playing_age_max": low + rng.randrange(5, 15),
        "city": city,
        "country": country,
        "skills": ", ".join(skills),
        "min_fee": Decimal(rng.randrange(5, 200) * 100),
        "fee_currency": "CNY" if chinese else rng.choice(["USD", "EUR", "GBP"]),
    }


def demo_red_lines(seed: int) -> dict:
    rng = random.Random(seed)
    never = [ContentCategory.POLITICAL, ContentCategory.ADULT, ContentCategory.GAMBLING, ContentCategory.RELIGIOUS]
    territories = [Territory.WORLDWIDE] if rng.random() < 0.4 else rng.sample(list(Territory)[1:], 3)
    return {
        "excluded_categories": rng.sample(never, rng.randrange(1, 4)),
        "blocked_keywords": rng.sample(["赌场", "casino", "香烟", "weapons", "政治"], 2),
        "accepted_territories": [str(t) for t in territories],
        "ai_training_allowed": rng.random() < 0.25,
        "max_term_months": rng.choice([6, 12, 24, 36]),
    }
