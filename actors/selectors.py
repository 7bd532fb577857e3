"""Reads of the actor side, scoped to who asks."""

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from actors.hooks import licence_for_original, moderator_purposes
from actors.models import (
    AccessLogArchive,
    ActorProfile,
    AssetAccess,
    ConsentRecord,
    DataExport,
    LikenessPhoto,
)
from actors.models.access import public_viewer_label
from marketplace.models import User
from marketplace.selectors import user_has_totp


def listed_actors() -> QuerySet[ActorProfile]:
    """Actors on the roster: opted in, verified, not suspended (``is_listed``)."""
    return ActorProfile.objects.filter(is_listed=True).filter(listed_actor_user())


def listed_actor_user() -> Exists:
    """The part of ``listed_actors``' rule that lives on the user (active,
    not suspended; ``is_listed`` already says so once the listing is
    refreshed), as one self-contained condition on a profile row, which a
    query can test on the few rows that pass its cheaper tests."""
    return Exists(User.objects.filter(pk=OuterRef("user_id"), is_active=True, suspended_at__isnull=True))


def with_primary_thumbnail(actors: QuerySet[ActorProfile]) -> QuerySet[ActorProfile]:
    """Annotate ``primary_photo_id``: the primary photo whose thumbnail is ready
    (or the first ready one), so a list shows thumbnails without a query each."""
    ready = LikenessPhoto.objects.filter(
        actor=OuterRef("pk"), renditions=LikenessPhoto.Renditions.READY, review__in=["clear", "cleared"]
    ).order_by("-is_primary", "position", "id")
    return actors.annotate(primary_photo_id=Subquery(ready.values("pk")[:1]))


def viewable_photos(actor: ActorProfile) -> QuerySet[LikenessPhoto]:
    """The photos a creator browsing the roster sees of ``actor``: renditions
    ready, not flagged or rejected by a moderator, primary first."""
    return LikenessPhoto.objects.filter(
        actor=actor,
        renditions=LikenessPhoto.Renditions.READY,
        review__in=[LikenessPhoto.Review.CLEAR, LikenessPhoto.Review.CLEARED],
    ).order_by("-is_primary", "position", "id")


def actor_profile_for_user(user: User) -> ActorProfile | None:
    """The signed-in user's own actor profile, with its red lines and the
    number of photos (``photo_count``) in the same query."""
    if not user.is_authenticated:
        return None
    photo_count = (
        LikenessPhoto.objects.filter(actor=OuterRef("pk"))
        .order_by()
        .values("actor")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        ActorProfile.objects.filter(user=user, deleted_at__isnull=True)
        .select_related("user", "red_lines")
        .annotate(photo_count=Coalesce(Subquery(photo_count), 0))
        .first()
    )


def photos_for_actor(actor: ActorProfile) -> QuerySet[LikenessPhoto]:
    return LikenessPhoto.objects.filter(actor=actor)


def consent_history(actor: ActorProfile) -> QuerySet[ConsentRecord]:
    return ConsentRecord.objects.filter(actor=actor)


def access_log_for_actor(actor: ActorProfile, *, viewer_id: int | None = None) -> QuerySet[AssetAccess]:
    rows = AssetAccess.objects.filter(actor=actor)
    if viewer_id is not None:
        rows = rows.filter(viewer_id=viewer_id)
    return rows


def access_log_archives_for_actor(actor: ActorProfile) -> QuerySet[AccessLogArchive]:
    """The months of the actor's access log moved to archive files, newest first."""
    return AccessLogArchive.objects.filter(actor=actor).order_by("-month", "-id")


def access_log_viewers(actor: ActorProfile) -> list[tuple[int, str]]:
    """The distinct people in an actor's access log, for the filter, each by
    their public name (``public_viewer_label``, never an email)."""
    rows = (
        AssetAccess.objects.filter(actor=actor, viewer__isnull=False)
        .values_list("viewer_id", "viewer_label", "viewer_role")
        .order_by("viewer_label")
        .distinct()
    )
    seen: dict[int, str] = {}
    for viewer_id, label, role in rows:
        seen.setdefault(viewer_id, public_viewer_label(label, role))
    return sorted(seen.items(), key=lambda item: item[1].lower())


def exports_for_actor(actor: ActorProfile) -> QuerySet[DataExport]:
    return DataExport.objects.filter(actor=actor)


def asset_access_rule(
    *, user: User | AnonymousUser, photo: LikenessPhoto, kind: str, portal: dict, purpose: str = ""
) -> tuple[bool, str]:
    """Whether ``user`` may fetch ``kind`` of ``photo``, and the purpose to log
    (the moderator's stated purpose, or the licence code of the contract).

    - the actor: everything of their own;
    - moderators: thumbnails; previews and originals only while working on an
      item about this actor, named by ``purpose`` ("verification:5",
      "dispute:12", "flag:7"; see ``moderator_purpose_valid``);
    - creators: thumbnails and previews of listed actors' cleared photos;
      originals only under an active contract with this actor (its licence code
      is the purpose);
    - anyone else: nothing.
    """
    if not user.is_authenticated:
        return False, ""
    if photo.actor.user_id == user.pk:
        return True, ""
    if portal["is_moderator"]:
        if kind == AssetAccess.Kind.THUMBNAIL:
            return True, ""
        # Private files need the second factor the moderation pages demand.
        allowed = moderator_purpose_valid(purpose=purpose, photo=photo) and user_has_totp(user)
        return allowed, purpose
    if portal["is_creator"]:
        cleared = photo.review in (LikenessPhoto.Review.CLEAR, LikenessPhoto.Review.CLEARED)
        if kind in (AssetAccess.Kind.THUMBNAIL, AssetAccess.Kind.PREVIEW):
            return photo.actor.is_listed and cleared, ""
        # A photo flagged as another actor's likeness is never licensed, not
        # even under a contract.
        licence = active_licence_code(creator_user=user, actor=photo.actor) if cleared else None
        return bool(licence), licence or ""
    return False, ""


def moderator_purpose_valid(*, purpose: str, photo: LikenessPhoto) -> bool:
    """Whether ``purpose`` names a moderation item that concerns this photo's
    actor: the flag on this photo (or on the photo it resembles), or an item
    of a kind the moderation app registered (``actors.hooks.moderator_purposes``:
    an identity check of the actor, a dispute over a request of the actor)."""
    kind, _sep, number = purpose.partition(":")
    if not number.isdigit() or len(number) > 18:
        return False
    item_id = int(number)
    if kind == "flag":
        flagged = LikenessPhoto.objects.filter(pk=item_id, review=LikenessPhoto.Review.FLAGGED)
        return flagged.filter(Q(pk=photo.pk) | Q(similar_to_id=photo.pk)).exists()
    concerns = moderator_purposes.get(kind)
    return concerns is not None and concerns(item_id, photo)


def active_licence_code(*, creator_user: User, actor: ActorProfile) -> str | None:
    """The licence code of a contract in force between this creator and actor
    (contracts answer through ``actors.hooks.licence_for_original``)."""
    return licence_for_original(creator_user, actor)
