"""Load-test data: many listed actors, fast (``manage.py seed_volume --actors 100000``).

What it makes, per actor: a user (no usable password) with a verified email
address, an opted-in, verified, listed ``ActorProfile`` and its ``RedLines``.
About half the actors have Chinese names, headlines and skills; languages,
genders, playing ages, countries, fees (in several currencies) and excluded
categories vary. Rows go in with ``bulk_create`` in batches, one transaction
per batch; ``search_document`` is computed in Python and, on PostgreSQL,
``search_vector`` is filled with one UPDATE per batch.

Photos: eight pictures are drawn once (original, thumbnail, watermarked
preview) under ``likeness/volume/`` in the media storage, and four actors in
five get a ``LikenessPhoto`` row pointing at one of those shared files
(the rest show the placeholder). The shared rows carry no perceptual hash, so
near-duplicate detection ignores them. Deleting one such photo through
``photo_delete`` would delete the shared files too: this is load data only.

Seeded accounts use the ``@volume.consentcast.localhost`` domain and nothing
else is touched. Running it again refuses unless ``--reset`` is given, which
deletes the seeded accounts first. These actors have no consent records:
they are synthetic rows for measuring the roster, never demo or evidence.
"""

import io
import random
import time
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image, ImageDraw, ImageOps

from actors.models import ActorProfile, LikenessPhoto, RedLines, VerificationStatus
from actors.services.photos import PREVIEW_SIZE, THUMBNAIL_SIZE, watermark
from actors.services.profile import search_document_for, search_ngrams_for, search_vector_expression
from marketplace.models import User
from marketplace.money import to_reference

EMAIL_DOMAIN = "volume.consentcast.localhost"
PHOTO_DIR = "likeness/volume"
PHOTO_VARIANTS = 8
DEFAULT_BATCH = 5000
SEEDED_TABLES = (
    "marketplace_user",
    "account_emailaddress",
    "actors_actorprofile",
    "actors_redlines",
    "actors_likenessphoto",
)

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


class Command(BaseCommand):
    help = "Bulk-insert many listed actors for load tests (refuses to run twice without --reset)."

    def add_arguments(self, parser):
        parser.add_argument("--actors", type=int, default=1000, help="How many actors to create.")
        parser.add_argument("--batch", type=int, default=DEFAULT_BATCH, help="Rows per bulk insert and transaction.")
        parser.add_argument("--reset", action="store_true", help="Delete the seeded accounts first.")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed, for repeatable data.")

    def handle(self, *args, actors: int, batch: int, reset: bool, seed: int, **options):
        if actors < 1 or batch < 1:
            raise CommandError("--actors and --batch must be positive.")
        started = time.perf_counter()
        existing = seeded_users().count()
        if existing and not reset:
            raise CommandError(
                f"{existing} seeded accounts exist already (@{EMAIL_DOMAIN}). Run with --reset to replace them."
            )
        if existing:
            took = self._timed(lambda: delete_seeded(batch=batch))
            self.stdout.write(f"Deleted {existing} seeded accounts in {took:.1f} s.")

        rng = random.Random(seed)
        photos = ensure_photo_files()
        self.timings = {"build": 0.0, "users": 0.0, "emails": 0.0, "profiles": 0.0, "red lines": 0.0}
        self.timings |= {"photos": 0.0, "search vector": 0.0}
        done = 0
        while done < actors:
            size = min(batch, actors - done)
            self._batch(rng, start=done, size=size, photos=photos)
            done += size
            self.stdout.write(f"  {done}/{actors} actors ({time.perf_counter() - started:.1f} s)")
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            began = time.perf_counter()
            vacuum_seeded_tables()
            self.timings["vacuum"] = time.perf_counter() - began
        total = time.perf_counter() - started
        phases = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in self.timings.items())
        self.stdout.write(self.style.SUCCESS(f"Seeded {actors} listed actors in {total:.1f} s ({phases})."))

    def _timed(self, work) -> float:
        began = time.perf_counter()
        work()
        return time.perf_counter() - began

    def _batch(self, rng: random.Random, *, start: int, size: int, photos: list[dict]) -> None:
        began = time.perf_counter()
        people = [person(rng, start + offset) for offset in range(size)]
        self.timings["build"] += time.perf_counter() - began
        password = make_password(None)
        now = timezone.now()
        with transaction.atomic():
            began = time.perf_counter()
            users = User.objects.bulk_create(
                [
                    User(email=p["email"], password=password, preferred_language=p["language"], is_active=True)
                    for p in people
                ]
            )
            self._lap("users", began)
            began = time.perf_counter()
            EmailAddress.objects.bulk_create(
                [EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users]
            )
            self._lap("emails", began)
            began = time.perf_counter()
            profiles = []
            for user, p in zip(users, people, strict=True):
                profile = ActorProfile(
                    user=user,
                    verification_status=VerificationStatus.VERIFIED,
                    verified_at=now,
                    opted_in=True,
                    opted_in_at=now,
                    is_listed=True,
                    **p["profile"],
                )
                profile.search_document = search_document_for(profile)
                profile.search_ngrams = search_ngrams_for(profile)
                profiles.append(profile)
            profiles = ActorProfile.objects.bulk_create(profiles)
            self._lap("profiles", began)
            began = time.perf_counter()
            RedLines.objects.bulk_create(
                [RedLines(actor=profile, **p["red_lines"]) for profile, p in zip(profiles, people, strict=True)]
            )
            self._lap("red lines", began)
            began = time.perf_counter()
            LikenessPhoto.objects.bulk_create(
                [
                    shared_photo(profile, photos[p["photo"]])
                    for profile, p in zip(profiles, people, strict=True)
                    if p["photo"] is not None
                ]
            )
            self._lap("photos", began)
            if connection.vendor == "postgresql":
                began = time.perf_counter()
                ids = [profile.pk for profile in profiles]
                ActorProfile.objects.filter(pk__in=ids).update(search_vector=search_vector_expression())
                self._lap("search vector", began)

    def _lap(self, phase: str, began: float) -> None:
        self.timings[phase] += time.perf_counter() - began


def vacuum_seeded_tables() -> None:
    """The search-vector UPDATEs left a dead copy of every profile row: rewrite
    that table (VACUUM FULL, seconds at 100k rows) so scans read only live
    rows, and refresh the planner's statistics of the others. VACUUM cannot
    run inside a transaction, so tests (which run in one) skip this."""
    with connection.cursor() as cursor:
        for table in SEEDED_TABLES:
            options = "FULL, ANALYZE" if table == "actors_actorprofile" else "ANALYZE"
            cursor.execute(f"VACUUM ({options}) {table}")


def seeded_users():
    return User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}")


def delete_seeded(*, batch: int) -> None:
    """Delete the seeded accounts (and by cascade their profiles, red lines,
    photos and email addresses) a batch at a time, to bound memory."""
    while True:
        ids = list(seeded_users().values_list("pk", flat=True)[:batch])
        if not ids:
            return
        with transaction.atomic():
            User.objects.filter(pk__in=ids).delete()


def person(rng: random.Random, index: int) -> dict:
    """Everything about one seeded actor, from the random stream."""
    chinese = rng.random() < 0.5
    if chinese:
        name = rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2))))
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
        "email": f"actor{index}@{EMAIL_DOMAIN}",
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


def ensure_photo_files() -> list[dict]:
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


def shared_photo(actor: ActorProfile, variant: dict) -> LikenessPhoto:
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
