"""Near-duplicate likeness photos: another actor's photo whose 64-bit
difference hash (dHash) differs from this one's in at most
``NEAR_DUPLICATE_BITS`` bits, found through indexes instead of a scan.

The hash is stored as a signed bigint, and the database keeps its four 16-bit
bands in generated columns (``LikenessPhoto.dhash_band_0`` to ``_3``), each
leading an index. Two hashes ``d`` bits apart differ in at most ``d // 4``
bits in one band at least (pigeonhole: more in all four would be more than
``d`` bits). So the candidates are the photos with some band equal to a
value within ``d // 4`` bits of ours: for ``d = 6``, each band's value and
its 16 one-bit neighbours, 68 index probes in all, which at a million
uniformly spread hashes meet about a thousand rows, not a million.

On PostgreSQL each band is one branch of a UNION that keeps the rows within
``d`` bits (``bit_count(a # b)``, PostgreSQL 14+) reading nothing but the
band's index, which also holds the hash, the actor and the id; elsewhere the
candidates come back and Python measures them.
"""

from itertools import combinations
from typing import Any

from django.db import connections, router
from django.db.models import F, Func, IntegerField

from actors.models import LikenessPhoto
from actors.models.photos import DHASH_BAND_BITS, DHASH_BANDS

# Photos of two different actors whose hashes differ in at most this many of
# 64 bits are near-duplicates (the same face photo re-uploaded, re-compressed
# or lightly cropped).
NEAR_DUPLICATE_BITS = 6
_BAND_MASK = (1 << DHASH_BAND_BITS) - 1
_MASK = (1 << 64) - 1


def signed(bits: int) -> int:
    """64 bits (0 to 2**64 - 1) as the signed bigint that stores them."""
    return bits - (1 << 64) if bits >> 63 else bits


def stored_dhash(hex_digits: str) -> int:
    """The hash as ``actors.renditions.dhash`` writes it (16 hex digits) as
    the column stores it (a signed bigint)."""
    return signed(int(hex_digits, 16))


def hamming(left: int, right: int) -> int:
    """Bits in which two stored hashes differ."""
    return ((left ^ right) & _MASK).bit_count()


def bands(digest: int) -> list[int]:
    """The hash's bands as the database computes them (band 0: the lowest bits)."""
    return [(digest >> (DHASH_BAND_BITS * band)) & _BAND_MASK for band in range(DHASH_BANDS)]


def within(value: int, bits: int) -> list[int]:
    """Every band value that differs from ``value`` in at most ``bits`` bits."""
    values = []
    for flipped in range(bits + 1):
        for positions in combinations(range(DHASH_BAND_BITS), flipped):
            mask = 0
            for position in positions:
                mask |= 1 << position
            values.append(value ^ mask)
    return values


def probes(digest: int, threshold: int = NEAR_DUPLICATE_BITS) -> list[list[int]]:
    """For each band, the values a hash within ``threshold`` bits of
    ``digest`` may have there; every such hash matches at least one."""
    radius = threshold // DHASH_BANDS
    return [within(value, radius) for value in bands(digest)]


class HammingDistance(Func):
    """``bit_count(column # value)``: the bits in which a bigint column
    differs from a 64-bit value (PostgreSQL 14+)."""

    template = "bit_count((%(expressions)s)::bit(64))"
    output_field = IntegerField()


def near_duplicates(digest: int, *, actor_id: int, threshold: int = NEAR_DUPLICATE_BITS) -> list[tuple[int, int]]:
    """``(photo id, distance)`` of the photos of actors other than
    ``actor_id`` whose hash is within ``threshold`` bits of ``digest``,
    nearest first (the oldest first among equals)."""
    # The band indexes are partial: hashed photos only.
    others = LikenessPhoto.objects.filter(dhash__isnull=False).exclude(actor_id=actor_id).order_by()
    per_band = [
        others.filter(**{f"dhash_band_{band}__in": values}) for band, values in enumerate(probes(digest, threshold))
    ]
    if connections[router.db_for_read(LikenessPhoto)].vendor == "postgresql":
        # One branch per band, each answered from its index alone (index-only
        # scans), the distance computed there; UNION drops a photo found
        # through several bands.
        distance: Any = HammingDistance(F("dhash").bitxor(digest))
        branches = [
            band.annotate(distance=distance).filter(distance__lte=threshold).values_list("pk", "distance")
            for band in per_band
        ]
        found = set(branches[0].union(*branches[1:]))
    else:
        candidates = per_band[0].union(*per_band[1:]).values_list("pk", "dhash")
        close = ((pk, hamming(digest, other)) for pk, other in candidates if other is not None)
        found = {(pk, distance) for pk, distance in close if distance <= threshold}
    return sorted(found, key=lambda row: (row[1], row[0]))


def near_duplicate_of(photo: LikenessPhoto) -> LikenessPhoto | None:
    """Another actor's photo whose hash is within ``NEAR_DUPLICATE_BITS`` of
    ``photo.dhash`` (the nearest; the oldest of equals), or None."""
    if photo.dhash is None:
        return None
    found = near_duplicates(photo.dhash, actor_id=photo.actor_id)
    return LikenessPhoto.objects.filter(pk=found[0][0]).first() if found else None
