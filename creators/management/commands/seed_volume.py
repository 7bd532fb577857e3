"""Load-test data: many listed actors, fast (``manage.py seed_volume --actors 100000``).

What it makes, per actor: a user (no usable password) with a verified email
address, an opted-in, verified, listed ``ActorProfile`` and its ``RedLines``.
About half the actors have Chinese names, headlines and skills; languages,
genders, playing ages, countries, fees (in several currencies) and excluded
categories vary. Rows go in with ``bulk_create`` in batches, one transaction
per batch; the search text, its gram keys and the lexicon's new words are
computed in Python (``actors.search``) and, on PostgreSQL, ``search_vector``
is filled with one UPDATE per batch. On PostgreSQL, a seed of more than
``REBUILD_ABOVE`` actors drops the profile table's GIN indexes first and
builds them again at the end: one build is far faster than a million
insertions into them (the 1,000,000-actor benchmark database).

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

import random
import re
import time

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from actors.models import ActorProfile, LikenessPhoto, RedLines, VerificationStatus
from actors.search import search_grams_for
from actors.services.profile import (
    search_document_for,
    search_ngrams_for,
    search_terms_record,
    search_vector_expression,
)
from creators.management.volume import EMAIL_DOMAIN, ensure_photo_files, person, shared_photo
from marketplace.models import User

DEFAULT_BATCH = 5000
REBUILD_ABOVE = 50_000
SEEDED_TABLES = (
    "marketplace_user",
    "account_emailaddress",
    "actors_actorprofile",
    "actors_redlines",
    "actors_likenessphoto",
)


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
        dropped = gin_indexes_dropped() if actors > REBUILD_ABOVE else []
        try:
            done = 0
            while done < actors:
                size = min(batch, actors - done)
                self._batch(rng, start=done, size=size, photos=photos)
                done += size
                self.stdout.write(f"  {done}/{actors} actors ({time.perf_counter() - started:.1f} s)")
            if connection.vendor == "postgresql" and not connection.in_atomic_block:
                self.timings["vacuum"] = self._timed(vacuum_seeded_tables)
        finally:
            # Also after a failure: the table is never left without them.
            if dropped:
                self.timings["indexes"] = self._timed(lambda: indexes_created(dropped))
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
                profile.search_grams = search_grams_for(profile.search_document)
                profile.search_ngrams = search_ngrams_for(profile)
                profiles.append(profile)
            profiles = ActorProfile.objects.bulk_create(profiles)
            search_terms_record([profile.search_document for profile in profiles])
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


def gin_indexes_dropped() -> list[str]:
    """Drop the GIN indexes of the profile table (PostgreSQL, outside a
    transaction) and return the statements that make them again, with their
    statistics targets."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return []
    remake = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
            "WHERE indrelid = 'actors_actorprofile'::regclass AND pg_get_indexdef(indexrelid) LIKE '%%USING gin%%'"
        )
        for name, definition in cursor.fetchall():
            remake.append(definition)
            cursor.execute(
                "SELECT attnum, attstattarget FROM pg_attribute WHERE attrelid = %s::regclass AND attstattarget >= 0",
                [name],
            )
            remake += [f"ALTER INDEX {name} ALTER COLUMN {column} SET STATISTICS {target}" for column, target in cursor]
            cursor.execute(f"DROP INDEX {name}")
    return remake


def indexes_created(statements: list[str]) -> None:
    """Make the indexes again (with the memory a large GIN build wants) and
    gather the statistics of their expressions."""
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")
        for statement in statements:
            cursor.execute(statement)
        cursor.execute("RESET maintenance_work_mem")
        cursor.execute("ANALYZE actors_actorprofile")


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


def seeded_version() -> int | None:
    """The SEED_VERSION the seeded accounts were made with (1 before it
    was written in their addresses), or None when there are none."""
    email = seeded_users().order_by("pk").values_list("email", flat=True).first()
    if email is None:
        return None
    found = re.search(r"-v(\d+)@", email)
    return int(found.group(1)) if found else 1


def delete_seeded(*, batch: int) -> None:
    """Delete the seeded accounts (and by cascade their profiles, red lines,
    photos and email addresses) a batch at a time, to bound memory."""
    while True:
        ids = list(seeded_users().values_list("pk", flat=True)[:batch])
        if not ids:
            return
        with transaction.atomic():
            User.objects.filter(pk__in=ids).delete()
