"""Actor side: the profile, likeness photos, consent records, red lines,
the log of every access to the actor's likeness and the data exports
(DESIGN.md "Actor side"). Split by subject; import from here."""

from actors.models.access import MODERATOR_PURPOSES, AccessLogArchive, AssetAccess
from actors.models.exports import EXPORT_TRANSITIONS, DataExport
from actors.models.photos import RENDITIONS_TRANSITIONS, LikenessPhoto, original_path, preview_path, thumbnail_path
from actors.models.profile import (
    BIO_MAX_LENGTH,
    FEE_SORT_MISSING,
    MAX_LICENCE_TERM_MONTHS,
    MAX_PHOTOS_PER_ACTOR,
    ActorProfile,
    ConsentRecord,
    Gender,
    RedLines,
    SpokenLanguage,
    VerificationStatus,
    fee_sort_key,
)
from actors.models.search import SearchTerm

__all__ = [
    "BIO_MAX_LENGTH",
    "EXPORT_TRANSITIONS",
    "FEE_SORT_MISSING",
    "MAX_LICENCE_TERM_MONTHS",
    "MAX_PHOTOS_PER_ACTOR",
    "MODERATOR_PURPOSES",
    "RENDITIONS_TRANSITIONS",
    "AccessLogArchive",
    "ActorProfile",
    "AssetAccess",
    "ConsentRecord",
    "DataExport",
    "Gender",
    "LikenessPhoto",
    "RedLines",
    "SearchTerm",
    "SpokenLanguage",
    "VerificationStatus",
    "fee_sort_key",
    "original_path",
    "preview_path",
    "thumbnail_path",
]
