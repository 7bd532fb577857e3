"""Near-duplicate lookup through the hash bands: it finds exactly what a
scan of every hash would (random hashes against a brute-force check, on
SQLite and on PostgreSQL), and on PostgreSQL the plan goes through the band
indexes, not over the table."""

import json
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st

from actors.models import LikenessPhoto
from actors.models.photos import DHASH_BANDS
from actors.services.duplicates import (
    NEAR_DUPLICATE_BITS,
    bands,
    hamming,
    near_duplicate_of,
    near_duplicates,
    signed,
    stored_dhash,
    within,
)
from actors.tests.factories import ActorProfileFactory

TOP = 1 << 63
EDGES = [0, -1, -TOP, TOP - 1, 1, -2, signed(0x8000_0000_0000_0001), signed(0x0000_FFFF_0000_FFFF)]

hashes = st.integers(min_value=-TOP, max_value=TOP - 1)


def flipped(digest: int, bit_count: int, rng: random.Random) -> int:
    """``digest`` with ``bit_count`` distinct random bits flipped."""
    mask = sum(1 << bit for bit in rng.sample(range(64), bit_count))
    return signed((digest ^ mask) & ((1 << 64) - 1))


def stored(actor, digests: list[int]) -> list[LikenessPhoto]:
    return LikenessPhoto.objects.bulk_create(
        LikenessPhoto(
            actor=actor,
            original=f"likeness/{actor.pk}/original/{n}.jpg",
            content_type="image/jpeg",
            width=64,
            height=48,
            byte_size=1000,
            renditions=LikenessPhoto.Renditions.READY,
            dhash=digest,
        )
        for n, digest in enumerate(digests)
    )


def brute_force(digest: int, *, actor_id: int, threshold: int) -> list[tuple[int, int]]:
    rows = LikenessPhoto.objects.exclude(actor_id=actor_id).filter(dhash__isnull=False).values_list("pk", "dhash")
    close = [(pk, hamming(digest, other)) for pk, other in rows]
    return sorted(((pk, d) for pk, d in close if d <= threshold), key=lambda row: (row[1], row[0]))


# --- The hash and its bands, in Python ------------------------------------------


@given(left=hashes, right=hashes)
def test_two_hashes_within_the_threshold_share_a_band_within_its_radius(left, right):
    if hamming(left, right) > NEAR_DUPLICATE_BITS:
        return
    radius = NEAR_DUPLICATE_BITS // DHASH_BANDS
    assert any(mine in within(theirs, radius) for mine, theirs in zip(bands(left), bands(right), strict=True))


@given(digest=hashes, bit_count=st.integers(min_value=0, max_value=NEAR_DUPLICATE_BITS), seed=st.integers())
def test_a_hash_a_few_bits_away_always_shares_a_probed_band(digest, bit_count, seed):
    other = flipped(digest, bit_count, random.Random(seed))
    assert hamming(digest, other) == bit_count
    radius = NEAR_DUPLICATE_BITS // DHASH_BANDS
    assert any(mine in within(theirs, radius) for mine, theirs in zip(bands(other), bands(digest), strict=True))


def test_within_one_bit_of_a_band_is_the_band_and_its_sixteen_neighbours():
    values = within(0b1010, 1)
    assert len(values) == len(set(values)) == 17
    assert all(hamming(value, 0b1010) <= 1 for value in values)
    assert len(within(0, 2)) == 1 + 16 + 120


def test_hex_hashes_become_the_signed_bigint_of_the_same_bits():
    assert stored_dhash("0000000000000000") == 0
    assert stored_dhash("7fffffffffffffff") == TOP - 1
    assert stored_dhash("8000000000000000") == -TOP
    assert stored_dhash("ffffffffffffffff") == -1
    assert bands(stored_dhash("0123456789abcdef")) == [0xCDEF, 0x89AB, 0x4567, 0x0123]


# --- The lookup in the database -----------------------------------------------------


@pytest.fixture
def three_actors(db):
    return [ActorProfileFactory() for _ in range(3)]


@pytest.mark.django_db
def test_the_database_keeps_the_same_bands_as_python_for_every_sign(three_actors):
    photos = stored(three_actors[0], EDGES)
    for photo in LikenessPhoto.objects.filter(pk__in=[p.pk for p in photos]):
        assert [photo.dhash_band_0, photo.dhash_band_1, photo.dhash_band_2, photo.dhash_band_3] == bands(photo.dhash)


@pytest.mark.django_db
@pytest.mark.parametrize("threshold", [NEAR_DUPLICATE_BITS, 3, 8])
def test_banded_lookup_finds_every_hash_a_scan_finds(three_actors, threshold):
    rng = random.Random(20260 + threshold)
    me, first, second = three_actors
    centres = [rng.randrange(-TOP, TOP) for _ in range(25)] + EDGES
    others: list[int] = []
    for centre in centres:
        # Neighbours at every distance around the threshold, the far ones
        # sharing no band with the centre or several.
        others += [flipped(centre, distance, rng) for distance in range(threshold + 4)]
    others += [rng.randrange(-TOP, TOP) for _ in range(200)]
    rng.shuffle(others)
    stored(first, others[::2])
    stored(second, others[1::2])
    stored(me, centres)

    queries = centres + [flipped(centre, rng.randrange(threshold + 1), rng) for centre in centres]
    found_any = 0
    for digest in queries:
        expected = brute_force(digest, actor_id=me.pk, threshold=threshold)
        assert near_duplicates(digest, actor_id=me.pk, threshold=threshold) == expected, digest
        found_any += bool(expected)
    # The check is not vacuous: most queries do have near-duplicates.
    assert found_any >= len(queries) // 2


@pytest.mark.django_db
def test_the_actors_own_photos_are_never_their_near_duplicates(three_actors):
    me, other, _third = three_actors
    digest = stored_dhash("0123456789abcdef")
    stored(me, [digest, flipped(digest, 1, random.Random(1))])
    assert near_duplicates(digest, actor_id=me.pk) == []
    (theirs,) = stored(other, [flipped(digest, 2, random.Random(2))])
    assert near_duplicates(digest, actor_id=me.pk) == [(theirs.pk, 2)]


@pytest.mark.django_db
def test_the_nearest_photo_is_the_twin_and_the_oldest_of_equals(three_actors):
    me, first, second = three_actors
    digest = stored_dhash("f0f0f0f00f0f0f0f")
    rng = random.Random(3)
    (far,) = stored(first, [flipped(digest, 5, rng)])
    older, newer = stored(second, [flipped(digest, 2, rng), flipped(digest, 2, rng)])
    (mine,) = stored(me, [digest])
    assert near_duplicate_of(mine) == older
    assert [pk for pk, _ in near_duplicates(digest, actor_id=me.pk)] == [older.pk, newer.pk, far.pk]


@pytest.mark.django_db
def test_a_photo_without_a_hash_has_no_twin(three_actors):
    stored(three_actors[1], [0])
    (unhashed,) = stored(three_actors[0], [None])
    assert near_duplicate_of(unhashed) is None


# --- The plan on PostgreSQL -----------------------------------------------------------


def plan_nodes(plan: dict) -> list[dict]:
    nodes = [plan]
    for child in plan.get("Plans", []):
        nodes += plan_nodes(child)
    return nodes


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_lookup_reads_the_band_indexes_not_the_table(three_actors):
    rng = random.Random(4)
    me, first, second = three_actors
    for actor in (first, second):
        stored(actor, [rng.randrange(-TOP, TOP) for _ in range(10_000)])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE actors_likenessphoto")
    digest = rng.randrange(-TOP, TOP)
    with CaptureQueriesContext(connection) as captured:
        near_duplicates(digest, actor_id=me.pk)
    (query,) = captured.captured_queries
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + query["sql"])
        (explained,) = cursor.fetchone()
    (plan,) = json.loads(explained) if isinstance(explained, str) else explained
    nodes = plan_nodes(plan["Plan"])
    indexes = {node.get("Index Name") for node in nodes}
    assert {f"likeness_dhash_band_{band}_idx" for band in range(DHASH_BANDS)} <= indexes, nodes
    assert not [node for node in nodes if node["Node Type"] == "Seq Scan"], nodes
