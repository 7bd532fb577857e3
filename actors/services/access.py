"""The access log: one append-only row per look at a likeness asset."""

from django.contrib.auth.models import AnonymousUser

from actors.models import AssetAccess, LikenessPhoto
from marketplace.http import ClientInfo
from marketplace.models import User


def asset_access_record(
    *,
    photo: LikenessPhoto,
    viewer: User | AnonymousUser | None,
    viewer_role: str,
    kind: str,
    granted: bool,
    purpose: str = "",
    client: ClientInfo | None = None,
) -> AssetAccess:
    """Append one row to the actor's access log."""
    client = client or ClientInfo()
    label = ""
    if viewer is not None and viewer.is_authenticated:
        label = _viewer_label(viewer, viewer_role)
    return AssetAccess.objects.create(
        actor_id=photo.actor_id,
        photo=photo,
        viewer=viewer if viewer is not None and viewer.is_authenticated else None,
        viewer_label=label[:120],
        viewer_role=viewer_role,
        kind=kind,
        outcome=AssetAccess.Outcome.GRANTED if granted else AssetAccess.Outcome.DENIED,
        purpose=purpose[:120],
        ip_address=client.ip_address,
    )


def _viewer_label(viewer: User, role: str) -> str:
    """How the actor sees who looked, by public name only: the studio's
    display name for creators, the stage name for actors; nothing for
    moderators (the page says "Moderator"; who it was is in the audit log)
    and for anyone else (the page says "someone signed in"). Never an email
    address: the log is the actor's to read and to download."""
    if role == "creator":
        creator_profile = getattr(viewer, "creator_profile", None)
        if creator_profile is not None:
            return str(creator_profile.display_name)
    if role == "actor":
        actor_profile = getattr(viewer, "actor_profile", None)
        if actor_profile is not None and actor_profile.deleted_at is None:
            return str(actor_profile.stage_name)
    return ""
