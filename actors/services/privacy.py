"""Personal data (PIPL, GDPR): asking for an export, its signed link and
its download, and account deletion. The ZIP itself: ``actors.services.exports``."""

from functools import partial

from allauth.account.models import EmailAddress
from allauth.usersessions.models import UserSession
from django.core.signing import TimestampSigner
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from actors.models import (
    ActorProfile,
    AssetAccess,
    DataExport,
    LikenessPhoto,
    RedLines,
)
from marketplace.files import delete_files
from marketplace.http import ClientInfo
from marketplace.models import AuditEvent, User
from marketplace.services import audit

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
