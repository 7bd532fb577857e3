"""The data export ZIP (PIPL, GDPR) and the access log as CSV.

The archive is written to a temporary file (memory up to
``EXPORT_SPOOL_MEMORY_BYTES``, then disk) and stored from there: each photo is
copied from storage into its ZIP member in ``COPY_CHUNK_BYTES`` pieces and the
access log is written row by row, so neither the archive nor a whole photo is
ever in memory (``make bench-export``: 12 photos of 15 MB)."""

import csv
import io
import json
import logging
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from datetime import timedelta
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from actors.hooks import access_deliveries, export_records
from actors.models import (
    EXPORT_TRANSITIONS,
    AccessLogArchive,
    ActorProfile,
    AssetAccess,
    ConsentRecord,
    DataExport,
    LikenessPhoto,
    RedLines,
)
from actors.notifications import DATA_EXPORT_READY
from marketplace.services import notify
from marketplace.transitions import transition_by_pk

logger = logging.getLogger(__name__)

COPY_CHUNK_BYTES = 1024 * 1024
EXPORT_SPOOL_MEMORY_BYTES = 1024 * 1024
# Rows of the access log read per query, and whose delivered copies are
# looked up at once.
ACCESS_LOG_CHUNK = 2000


def data_export_build(*, export_id: int) -> DataExport | None:
    """Write the ZIP for a pending export and tell the actor it is ready.
    Does nothing for an export that is gone or no longer pending. When
    storage refuses (reading a photo or writing the ZIP), the export is
    failed with nothing kept, and the data page offers to try again."""
    export = DataExport.objects.filter(pk=export_id).select_related("actor__user").first()
    if export is None or export.status != DataExport.Status.PENDING:
        return export
    name = f"exports/{export.actor_id}/{timezone.now():%Y%m%d%H%M%S}-{export.pk}.zip"
    try:
        with tempfile.SpooledTemporaryFile(max_size=EXPORT_SPOOL_MEMORY_BYTES) as spool:
            export_archive_write(export.actor, spool)
            spool.seek(0)
            stored = default_storage.save(name, File(spool, name=name))
    except OSError:
        logger.exception("data export %s: storage refused it, nothing was kept", export.pk)
        _export_move(export.pk, DataExport.Status.FAILED)
        return DataExport.objects.get(pk=export.pk)
    now = timezone.now()
    with transaction.atomic():
        changed = _export_move(
            export.pk,
            DataExport.Status.READY,
            archive=stored,
            ready_at=now,
            expires_at=now + timedelta(seconds=settings.DATA_EXPORT_LINK_SECONDS),
        )
        if not changed:
            transaction.on_commit(lambda: default_storage.delete(stored))
            return DataExport.objects.get(pk=export.pk)
        export.refresh_from_db()
        notify(
            recipient=export.actor.user,
            kind=DATA_EXPORT_READY,
            event_key=f"data_export:{export.pk}:ready",
            params={"days": settings.DATA_EXPORT_LINK_SECONDS // 86400},
            target=export,
            url=reverse("actors:data"),
        )
    return export


def _export_move(export_id: int, new: str, **fields: Any) -> bool:
    """Pending to ``new`` by compare-and-set; False when it is no longer pending."""
    return transition_by_pk(
        DataExport,
        export_id,
        new=new,
        old=DataExport.Status.PENDING,
        transitions=EXPORT_TRANSITIONS,
        illegal=f"data export: pending to {new}",
        **fields,
    )


def export_archive_write(actor: ActorProfile, target: IO[bytes]) -> None:
    """Write everything the portal holds about ``actor`` as a ZIP into the
    seekable binary file ``target``. Photos are stored as they are (they are
    compressed images already), copied piece by piece from storage."""
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("profile.json", _json(_profile_data(actor)))
        archive.writestr("consent_history.json", _json(_consent_data(actor)))
        archive.writestr("red_lines.json", _json(_red_lines_data(actor)))
        with archive.open("access_log.csv", "w") as member:
            for piece in access_log_csv_lines(actor, AssetAccess.objects.filter(actor=actor)):
                member.write(piece)
        _write_access_archives(archive, actor)
        photos = []
        for photo in LikenessPhoto.objects.filter(actor=actor):
            extension = (photo.original.name or "").rsplit(".", 1)[-1]
            arcname = f"photos/photo-{photo.pk}.{extension}"
            _copy_into(archive, arcname, str(photo.original.name))
            photos.append({"file": arcname, "uploaded_at": photo.created_at.isoformat(), "primary": photo.is_primary})
        archive.writestr("photos.json", _json(photos))
        for name, rows in _party_records(actor).items():
            archive.writestr(name, _json(rows))


def _write_access_archives(archive: zipfile.ZipFile, actor: ActorProfile) -> None:
    """The archived months of the access log (``actors.services.archive``), as
    stored, with a list of their row counts and SHA-256."""
    listed = []
    for saved in AccessLogArchive.objects.filter(actor=actor).order_by("month"):
        arcname = f"access_log_archive/{saved.month:%Y-%m}.csv.gz"
        _copy_into(archive, arcname, str(saved.file.name))
        listed.append(
            {"file": arcname, "month": f"{saved.month:%Y-%m}", "rows": saved.row_count, "sha256": saved.sha256}
        )
    archive.writestr("access_log_archive.json", _json(listed))


def _copy_into(archive: zipfile.ZipFile, arcname: str, stored_name: str) -> None:
    """Copy one stored file into a new member, a piece at a time."""
    info = zipfile.ZipInfo(arcname, date_time=timezone.now().timetuple()[:6])
    info.compress_type = zipfile.ZIP_STORED
    with default_storage.open(stored_name, "rb") as source, archive.open(info, "w") as member:
        shutil.copyfileobj(source, member, COPY_CHUNK_BYTES)


def _party_records(actor: ActorProfile) -> dict[str, list[dict[str, Any]]]:
    """Requests, messages and contracts the actor is party to, from the apps
    that hold them (``actors.hooks.export_records``). A missing provider
    raises rather than leaving them out of the export."""
    records: dict[str, list[dict[str, Any]]] = {}
    for contribution in export_records(actor).values():
        records.update(contribution)
    return records


def _json(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str)


def _profile_data(actor: ActorProfile) -> dict:
    return {
        "email": actor.user.email,
        "stage_name": actor.stage_name,
        "legal_name": actor.legal_name,
        "slug": actor.slug,
        "headline": actor.headline,
        "bio": actor.bio,
        "languages": actor.languages,
        "gender": actor.gender,
        "playing_age": [actor.playing_age_min, actor.playing_age_max],
        "city": actor.city,
        "country": actor.country,
        "skills": actor.skill_list,
        "min_fee": str(actor.min_fee) if actor.min_fee is not None else None,
        "fee_currency": actor.fee_currency,
        "max_term_months": actor.max_term_months,
        "union_membership": actor.union_membership,
        "verification_status": actor.verification_status,
        "opted_in": actor.opted_in,
        "listed": actor.is_listed,
        "created_at": actor.created_at.isoformat(),
    }


def _consent_data(actor: ActorProfile) -> list[dict]:
    return [
        {
            "action": record.action,
            "at": record.created_at.isoformat(),
            "text_version": record.text_version,
            "language": record.language,
            "text": record.text,
            "ip_address": record.ip_address,
            "user_agent": record.user_agent,
        }
        for record in ConsentRecord.objects.filter(actor=actor).order_by("created_at", "id")
    ]


def _red_lines_data(actor: ActorProfile) -> dict:
    red_lines = RedLines.objects.filter(actor=actor).first()
    if red_lines is None:
        return {}
    return {
        "excluded_categories": red_lines.excluded_categories,
        "blocked_keywords": red_lines.blocked_keywords,
        "accepted_territories": red_lines.accepted_territories,
        "ai_training_allowed": red_lines.ai_training_allowed,
        "max_term_months": actor.max_term_months,
    }


ACCESS_LOG_COLUMNS = ["time", "who", "role", "asset", "photo", "outcome", "purpose", "ip_address", "delivery"]


def access_log_csv_lines(actor: ActorProfile, rows: QuerySet[AssetAccess]) -> Iterator[bytes]:
    """The access log ``rows`` of ``actor`` as UTF-8 CSV, a header line then
    one line per row, read ``ACCESS_LOG_CHUNK`` rows at a time (constant
    memory however long the log), with the watermark id of each delivered
    copy. Cells that a spreadsheet would run as a formula are prefixed with
    an apostrophe (CSV injection)."""
    yield _csv_line(ACCESS_LOG_COLUMNS)
    for chunk in _chunks(rows.iterator(chunk_size=ACCESS_LOG_CHUNK), ACCESS_LOG_CHUNK):
        # A licensee's download is a delivered copy: its watermark id, from the contracts' floor.
        deliveries = access_deliveries(actor, [row.pk for row in chunk])
        for row in chunk:
            yield _csv_line(access_log_row(row, deliveries.get(row.pk, "")))


def access_log_row(row: AssetAccess, delivery: str) -> list[str]:
    """One access-log row as CSV cells, in ``ACCESS_LOG_COLUMNS`` order."""
    return [
        row.created_at.isoformat(),
        _cell(row.viewer_display),
        row.viewer_role,
        row.kind,
        str(row.photo_id or ""),
        row.outcome,
        _cell(row.purpose),
        row.ip_address or "",
        delivery,
    ]


def _chunks(rows: Iterable[AssetAccess], size: int) -> Iterator[list[AssetAccess]]:
    chunk: list[AssetAccess] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _csv_line(cells: list[str]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerow(cells)
    return out.getvalue().encode("utf-8")


def _cell(value: str) -> str:
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
