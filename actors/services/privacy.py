"""Personal data (PIPL, GDPR): the export ZIP and account deletion."""

import csv
import io
import json
import logging
import zipfile
from datetime import timedelta
from functools import partial
from typing import Any

from allauth.account.models import EmailAddress
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.signing import TimestampSigner
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from actors.hooks import access_deliveries, export_records
from actors.models import (
    EXPORT_TRANSITIONS,
    ActorProfile,
    AssetAccess,
    ConsentRecord,
    DataExport,
    LikenessPhoto,
    RedLines,
)
from actors.notifications import DATA_EXPORT_READY
from marketplace.files import delete_files
from marketplace.http import ClientInfo
from marketplace.models import AuditEvent, User
from marketplace.services import audit, notify
from marketplace.transitions import transition_by_pk

logger = logging.getLogger(__name__)

EXPORT_SALT = "actors.data-export"


def export_signer() -> TimestampSigner:
    return TimestampSigner(salt=EXPORT_SALT)


def export_download_path(export: DataExport) -> str:
    """The signed link for one export; it stops working after
    ``DATA_EXPORT_LINK_SECONDS`` and only ever opens for the export's owner."""
    token = export_signer().sign(str(export.pk))
    return reverse("actors:data_export_download", args=[token])


def data_export_request(*, actor: ActorProfile) -> DataExport:
    """Queue a new export, or return the one still being prepared. A failed
    export does not stand in the way; a pending one whose task was lost is
    retried, then failed, by the stuck-work sweep."""
    # actors.tasks imports the services its tasks call; the task is looked
    # up here, at call time, to break that cycle.
    from actors.tasks import build_data_export

    with transaction.atomic():
        ActorProfile.objects.select_for_update().filter(pk=actor.pk).first()
        pending = DataExport.objects.filter(actor=actor, status=DataExport.Status.PENDING).first()
        if pending is not None:
            return pending
        export = DataExport.objects.create(actor=actor)
        transaction.on_commit(lambda: build_data_export.delay(export.pk), robust=True)
    return export


def data_export_downloaded(*, export: DataExport, user: User, client: ClientInfo | None = None) -> None:
    """Record a download of the export: it holds every original, so it goes in
    the actor's access log and the audit log like any other download."""
    client = client or ClientInfo()
    with transaction.atomic():
        AssetAccess.objects.create(
            actor_id=export.actor_id,
            viewer=user,
            viewer_role="owner",
            kind=AssetAccess.Kind.EXPORT,
            outcome=AssetAccess.Outcome.GRANTED,
            ip_address=client.ip_address,
        )
        audit(
            action=AuditEvent.Action.DATA_EXPORTED,
            actor=user,
            target=f"actors.dataexport:{export.pk}",
            client=client,
        )


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
        stored = default_storage.save(name, ContentFile(_export_zip(export.actor)))
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


def _export_zip(actor: ActorProfile) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("profile.json", _json(_profile_data(actor)))
        archive.writestr("consent_history.json", _json(_consent_data(actor)))
        archive.writestr("red_lines.json", _json(_red_lines_data(actor)))
        access_log = access_log_csv(AssetAccess.objects.filter(actor=actor), access_deliveries(actor, None))
        archive.writestr("access_log.csv", access_log)
        photos = []
        for photo in LikenessPhoto.objects.filter(actor=actor):
            extension = (photo.original.name or "").rsplit(".", 1)[-1]
            arcname = f"photos/photo-{photo.pk}.{extension}"
            with photo.original.open("rb") as handle:
                archive.writestr(arcname, handle.read())
            photos.append({"file": arcname, "uploaded_at": photo.created_at.isoformat(), "primary": photo.is_primary})
        archive.writestr("photos.json", _json(photos))
        for name, rows in _party_records(actor).items():
            archive.writestr(name, _json(rows))
    return buffer.getvalue()


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


def access_log_csv(rows: QuerySet[AssetAccess], deliveries: dict[int, str] | None = None) -> str:
    """The access log as CSV, with the watermark id of each delivered copy
    (``deliveries``: access row id → watermark id). Cells that a spreadsheet
    would run as a formula are prefixed with an apostrophe (CSV injection)."""
    deliveries = deliveries or {}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(ACCESS_LOG_COLUMNS)
    for row in rows.iterator():
        writer.writerow(
            [
                row.created_at.isoformat(),
                _cell(row.viewer_display),
                row.viewer_role,
                row.kind,
                row.photo_id or "",
                row.outcome,
                _cell(row.purpose),
                row.ip_address or "",
                deliveries.get(row.pk, ""),
            ]
        )
    return out.getvalue()


def _cell(value: str) -> str:
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def account_delete(*, user: User, client: ClientInfo | None = None) -> None:
    """Delete the account: photos, renditions and exports leave storage; the
    actor profile is anonymised and unlisted; every session ends; the login
    stops working. Consent records and the access log stay (they are the
    actor's proof), attached to the anonymised profile."""
    files: list[str] = []
    with transaction.atomic():
        actor = ActorProfile.objects.select_for_update().filter(user=user).first()
        if actor is not None:
            for photo in LikenessPhoto.objects.filter(actor=actor):
                files.extend(field.name for field in (photo.original, photo.thumbnail, photo.preview) if field.name)
            LikenessPhoto.objects.filter(actor=actor).delete()
            for export in DataExport.objects.filter(actor=actor):
                if export.archive.name:
                    files.append(export.archive.name)
            DataExport.objects.filter(actor=actor).delete()
            RedLines.objects.filter(actor=actor).update(blocked_keywords=[])
            ActorProfile.objects.filter(pk=actor.pk).update(
                stage_name="—",
                legal_name="",
                headline="",
                bio="",
                languages=[],
                city="",
                skills="",
                union_membership="",
                search_document="",
                search_grams="",
                search_ngrams="",
                search_vector=None,
                opted_in=False,
                opted_in_at=None,
                is_listed=False,
                deleted_at=timezone.now(),
            )
        audit(action=AuditEvent.Action.ACCOUNT_DELETED, actor=user, target=f"marketplace.user:{user.pk}", client=client)
        EmailAddress.objects.filter(user=user).delete()
        user.email = f"deleted-{user.pk}@deleted.invalid"
        user.first_name = user.last_name = ""
        user.is_active = False
        user.set_unusable_password()
        user.save()
        for session in UserSession.objects.filter(user=user):
            session.end()
        transaction.on_commit(partial(delete_files, files))


def data_exports_purge_expired(*, chunk: int = 100) -> int:
    """Delete exports whose link has expired, files first after commit.
    Each row is deleted at most once, so two sweeps at once are harmless."""
    removed = 0
    while True:
        with transaction.atomic():
            batch = list(
                DataExport.objects.select_for_update(skip_locked=True)
                .filter(expires_at__lt=timezone.now())
                .values_list("pk", "archive")[:chunk]
            )
            if not batch:
                return removed
            DataExport.objects.filter(pk__in=[pk for pk, _name in batch]).delete()
            names = [name for _pk, name in batch if name]
            transaction.on_commit(partial(delete_files, names))
            removed += len(batch)
