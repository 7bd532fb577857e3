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
    """How the actor sees who looked: the studio's display name for creators;
    nothing for moderators (the page says "Moderator"; who it was is in the
    audit log); the account email otherwise."""
    if role == "creator":
        profile = getattr(viewer, "creator_profile", None)
        if profile is not None:
            return str(profile.display_name)
    if role == "moderator":
        return ""
    return str(viewer.email)
