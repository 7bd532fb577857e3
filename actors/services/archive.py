"""The access log's archive: its rows are the actor's proof of who touched
their likeness, so they are never dropped. Whole calendar months (UTC)
that ended more than ``ACCESS_LOG_ARCHIVE_DAYS`` ago move, per actor, into
a gzipped CSV file in private storage (``AccessLogArchive``):

1. the month's rows are written, oldest first, to a temporary file
   (gzipped CSV: the id and the viewer's id, then the columns of the
   access-log CSV), and its SHA-256 taken;
2. the file is saved to storage and read back: the same SHA-256, and as
   many CSV rows as were written;
3. one transaction locks the actor's profile (so archivers of one actor
   take turns), checks the month has no archive yet and still holds exactly
   the rows written, records the archive and deletes those rows. Anything
   else rolls back and the file is deleted: the rows stay in the table.

So a row leaves the table only in the transaction that records the
verified file holding it, and two sweeps at once archive a month once (the
second finds the archive, or the unique constraint on (actor, month)
refuses it). Rows are only ever added to the current moment, so a month
past the limit does not change while it is archived.
"""

import csv
import gzip
import hashlib
import io
import logging
import secrets
import tempfile
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import IO

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from actors.hooks import access_deliveries
from actors.models import AccessLogArchive, ActorProfile, AssetAccess
from actors.services.exports import ACCESS_LOG_CHUNK, ACCESS_LOG_COLUMNS, access_log_row

logger = logging.getLogger(__name__)

ARCHIVE_COLUMNS = ["id", "viewer_id", *ACCESS_LOG_COLUMNS]
READ_CHUNK_BYTES = 1024 * 1024


class ArchiveLost(Exception):
    """Another sweep archived this month first, or its rows changed."""


def access_log_archive_sweep(*, now: datetime | None = None, limit: int = 500) -> int:
    """Archive every (actor, month) older than the limit, up to ``limit`` of
    them per run (the next run takes the rest); how many were archived."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.ACCESS_LOG_ARCHIVE_DAYS)
    # Whole months only: the first month not yet wholly past the cutoff.
    boundary = datetime(cutoff.year, cutoff.month, 1, tzinfo=UTC)
    months = (
        AssetAccess.objects.filter(created_at__lt=boundary)
        .annotate(month=TruncMonth("created_at", tzinfo=UTC))
        .values_list("actor_id", "month")
        .order_by("month", "actor_id")
        .distinct()[:limit]
    )
    archived = 0
    for actor_id, month in list(months):
        try:
            done = access_log_month_archive(actor_id=actor_id, month=month.date())
        except OSError:
            # Storage refused or the file did not read back: the rows stay,
            # the next run tries again; the other months go on.
            logger.exception("access log %s of actor %s: not archived", month, actor_id)
            continue
        archived += done is not None
    return archived


def month_rows(actor_id: int, month: date) -> QuerySet[AssetAccess]:
    """The access rows of one actor written in ``month`` (UTC), oldest first."""
    start = datetime(month.year, month.month, 1, tzinfo=UTC)
    end = datetime(month.year + month.month // 12, month.month % 12 + 1, 1, tzinfo=UTC)
    return AssetAccess.objects.filter(actor_id=actor_id, created_at__gte=start, created_at__lt=end).order_by(
        "created_at", "id"
    )


def access_log_month_archive(*, actor_id: int, month: date) -> AccessLogArchive | None:
    """Archive one actor's month (see the module's steps). None when there is
    nothing to archive or another sweep did it first; raises ``OSError`` when
    storage refuses (nothing changed, no file left)."""
    if AccessLogArchive.objects.filter(actor_id=actor_id, month=month).exists():
        return None
    actor = ActorProfile.objects.get(pk=actor_id)
    name = f"access-archives/{actor_id}/{month:%Y-%m}-{secrets.token_hex(8)}.csv.gz"
    with tempfile.TemporaryFile() as spool:
        row_count = _write_month(actor, month, spool)
        if row_count == 0:
            return None
        byte_size = spool.tell()
        spool.seek(0)
        digest = _sha256(spool)
        spool.seek(0)
        stored = default_storage.save(name, File(spool, name=name))
    try:
        _verify(stored, digest, row_count)
        with transaction.atomic():
            return _record(actor_id, month, stored, row_count=row_count, byte_size=byte_size, digest=digest)
    except (ArchiveLost, IntegrityError):
        default_storage.delete(stored)
        logger.info("access log %s of actor %s: archived by another sweep", month, actor_id)
        return None
    except BaseException:
        default_storage.delete(stored)
        raise


def _record(
    actor_id: int, month: date, stored: str, *, row_count: int, byte_size: int, digest: str
) -> AccessLogArchive:
    """Inside a transaction: the archive row, and the month's rows out of the table."""
    ActorProfile.objects.select_for_update().filter(pk=actor_id).first()
    if AccessLogArchive.objects.filter(actor_id=actor_id, month=month).exists():
        raise ArchiveLost
    rows = month_rows(actor_id, month)
    if rows.count() != row_count:
        raise ArchiveLost
    archive = AccessLogArchive.objects.create(
        actor_id=actor_id, month=month, file=stored, row_count=row_count, byte_size=byte_size, sha256=digest
    )
    deleted = 0
    while ids := list(rows.values_list("pk", flat=True)[:ACCESS_LOG_CHUNK]):
        deleted += AssetAccess.objects.filter(pk__in=ids).purge()
    if deleted != row_count:
        raise ArchiveLost  # rolls back the archive row and every delete
    return archive


def _write_month(actor: ActorProfile, month: date, target: IO[bytes]) -> int:
    """The month's rows as gzipped CSV into ``target``; how many rows."""
    count = 0
    with gzip.GzipFile(fileobj=target, mode="wb", mtime=0) as packed:
        text = io.TextIOWrapper(packed, encoding="utf-8", newline="")
        writer = csv.writer(text)
        writer.writerow(ARCHIVE_COLUMNS)
        rows = month_rows(actor.pk, month)
        chunk: list[AssetAccess] = []
        for row in rows.iterator(chunk_size=ACCESS_LOG_CHUNK):
            chunk.append(row)
            if len(chunk) == ACCESS_LOG_CHUNK:
                count += _write_chunk(actor, chunk, writer.writerow)
                chunk = []
        count += _write_chunk(actor, chunk, writer.writerow)
        text.flush()
        text.detach()
    return count


def _write_chunk(actor: ActorProfile, chunk: list[AssetAccess], write_row: Callable[[list[str]], object]) -> int:
    if not chunk:
        return 0
    # A licensee's download is a delivered copy: its watermark id, from the contracts' floor.
    deliveries = access_deliveries(actor, [row.pk for row in chunk])
    for row in chunk:
        write_row([str(row.pk), str(row.viewer_id or ""), *access_log_row(row, deliveries.get(row.pk, ""))])
    return len(chunk)


def _sha256(handle: IO[bytes]) -> str:
    digest = hashlib.sha256()
    while piece := handle.read(READ_CHUNK_BYTES):
        digest.update(piece)
    return digest.hexdigest()


def _verify(stored: str, digest: str, row_count: int) -> None:
    """Read the stored file back: its SHA-256 and its number of CSV rows must
    be what was written. Raises ``OSError`` otherwise."""
    with default_storage.open(stored, "rb") as handle:
        if _sha256(handle) != digest:
            raise OSError(f"access-log archive {stored}: stored bytes differ from those written")
    with default_storage.open(stored, "rb") as handle, gzip.GzipFile(fileobj=handle, mode="rb") as packed:
        reader = csv.reader(io.TextIOWrapper(packed, encoding="utf-8", newline=""))
        found = sum(1 for _row in reader) - 1
    if found != row_count:
        raise OSError(f"access-log archive {stored}: {found} rows read back, {row_count} written")


def access_log_archive_rows(archive: AccessLogArchive) -> list[list[str]]:
    """The CSV rows of an archive (header first); for checks and tests."""
    with archive.file.open("rb") as handle, gzip.GzipFile(fileobj=handle, mode="rb") as packed:
        return list(csv.reader(io.TextIOWrapper(packed, encoding="utf-8", newline="")))
