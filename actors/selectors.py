"""Reads of the actor side, scoped to who asks."""

from django.db.models import OuterRef, QuerySet, Subquery

from actors.models import ActorProfile, AssetAccess, ConsentRecord, DataExport, LikenessPhoto
from marketplace.models import User


def listed_actors() -> QuerySet[ActorProfile]:
    """Actors on the roster: opted in, verified, not suspended (``is_listed``)."""
    return ActorProfile.objects.filter(is_listed=True, user__is_active=True, user__suspended_at__isnull=True)


def with_primary_thumbnail(actors: QuerySet[ActorProfile]) -> QuerySet[ActorProfile]:
    """Annotate ``primary_photo_id``: the primary photo whose thumbnail is ready
    (or the first ready one), so a list shows thumbnails without a query each."""
    ready = LikenessPhoto.objects.filter(
        actor=OuterRef("pk"), renditions=LikenessPhoto.Renditions.READY, review__in=["clear", "cleared"]
    ).order_by("-is_primary", "position", "id")
    return actors.annotate(primary_photo_id=Subquery(ready.values("pk")[:1]))


def actor_profile_for_user(user: User) -> ActorProfile | None:
    if not user.is_authenticated:
        return None
    return ActorProfile.objects.filter(user=user, deleted_at__isnull=True).select_related("user").first()


def photos_for_actor(actor: ActorProfile) -> QuerySet[LikenessPhoto]:
    return LikenessPhoto.objects.filter(actor=actor)


def consent_history(actor: ActorProfile) -> QuerySet[ConsentRecord]:
    return ConsentRecord.objects.filter(actor=actor)


def access_log_for_actor(actor: ActorProfile, *, viewer_id: int | None = None) -> QuerySet[AssetAccess]:
    rows = AssetAccess.objects.filter(actor=actor)
    if viewer_id is not None:
        rows = rows.filter(viewer_id=viewer_id)
    return rows


def access_log_viewers(actor: ActorProfile) -> list[tuple[int, str]]:
    """The distinct people in an actor's access log, for the filter."""
    rows = (
        AssetAccess.objects.filter(actor=actor, viewer__isnull=False)
        .values_list("viewer_id", "viewer_label")
        .order_by("viewer_label")
        .distinct()
    )
    seen: dict[int, str] = {}
    for viewer_id, label in rows:
        seen.setdefault(viewer_id, label)
    return sorted(seen.items(), key=lambda item: item[1].lower())


def exports_for_actor(actor: ActorProfile) -> QuerySet[DataExport]:
    return DataExport.objects.filter(actor=actor)
