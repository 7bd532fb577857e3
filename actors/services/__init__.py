"""Every write of the actor side. Split by subject; import from here."""

from actors.services.access import asset_access_record
from actors.services.archive import access_log_archive_sweep, access_log_month_archive
from actors.services.exports import data_export_build
from actors.services.photos import (
    photo_delete,
    photo_renditions_make,
    photo_renditions_retry,
    photo_set_primary,
    photo_upload,
    photos_reorder,
)
from actors.services.privacy import (
    account_delete,
    data_export_downloaded,
    data_export_request,
    data_exports_purge_expired,
)
from actors.services.profile import (
    actor_listing_refresh,
    actor_opt_in,
    actor_opt_out,
    actor_profile_create,
    actor_profile_update,
    actor_search_refresh,
    actor_verification_set,
    red_lines_update,
    unique_slug,
)
from actors.services.sweeps import stuck_work_requeue

__all__ = [
    "access_log_archive_sweep",
    "access_log_month_archive",
    "account_delete",
    "actor_listing_refresh",
    "actor_opt_in",
    "actor_opt_out",
    "actor_profile_create",
    "actor_profile_update",
    "actor_search_refresh",
    "actor_verification_set",
    "asset_access_record",
    "data_export_build",
    "data_export_downloaded",
    "data_export_request",
    "data_exports_purge_expired",
    "photo_delete",
    "photo_renditions_make",
    "photo_renditions_retry",
    "photo_set_primary",
    "photo_upload",
    "photos_reorder",
    "red_lines_update",
    "stuck_work_requeue",
    "unique_slug",
]
