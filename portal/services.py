"""Writes that span the apps: a newcomer taking the actor or creator role."""

from typing import Literal

from django.db import transaction
from django.db.models import Model

from actors.services import actor_profile_create
from creators.services import creator_profile_create
from marketplace.http import ClientInfo
from marketplace.models import AuditEvent, User
from marketplace.notifications import WELCOME_ACTOR, WELCOME_CREATOR
from marketplace.services import audit, notify

Role = Literal["actor", "creator"]


@transaction.atomic
def onboarding_role_add(*, user: User, role: Role, name: str, client: ClientInfo | None = None) -> Model:
    """Give ``user`` the actor or creator role by creating its profile.

    Raises ``RoleAlreadyHeld`` when the user has that role already. The role
    change is audited and the user gets a welcome notification.
    """
    if role == "actor":
        profile: Model = actor_profile_create(user=user, stage_name=name)
        kind = WELCOME_ACTOR
    elif role == "creator":
        profile = creator_profile_create(user=user, display_name=name)
        kind = WELCOME_CREATOR
    else:
        raise ValueError(f"unknown role {role!r}")
    audit(
        action=AuditEvent.Action.ROLE_ADDED,
        actor=user,
        target=f"{profile._meta.label_lower}:{profile.pk}",
        client=client,
        data={"role": role},
    )
    notify(recipient=user, kind=kind, event_key=f"role:{role}:welcome", params={"name": name}, target=profile, url="/")
    return profile
