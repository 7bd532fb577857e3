"""Writes of the actor side."""

import secrets

from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from actors.models import ActorProfile
from marketplace.exceptions import RoleAlreadyHeld
from marketplace.models import User


def unique_slug(base: str, *, taken) -> str:
    """An ASCII slug for ``base``; names with no Latin letters get a random one.

    ``taken(slug)`` says whether a slug is in use. A race between two
    creations is settled by the unique constraint; callers retry.
    """
    stem = slugify(base)[:60] or "actor"
    candidate = stem
    while taken(candidate):
        candidate = f"{stem}-{secrets.token_hex(3)}"
    return candidate


def actor_profile_create(*, user: User, stage_name: str) -> ActorProfile:
    """Make ``user`` an actor. Raises ``RoleAlreadyHeld`` if they are one."""
    if ActorProfile.objects.filter(user=user).exists():
        raise RoleAlreadyHeld(_("You already have an actor profile."))
    for _attempt in range(5):
        slug = unique_slug(stage_name, taken=lambda s: ActorProfile.objects.filter(slug=s).exists())
        try:
            with transaction.atomic():
                return ActorProfile.objects.create(user=user, stage_name=stage_name.strip(), slug=slug)
        except IntegrityError:
            if ActorProfile.objects.filter(user=user).exists():
                raise RoleAlreadyHeld(_("You already have an actor profile.")) from None
    raise IntegrityError("could not find a free slug")
