"""Writes of the creator side."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from creators.models import CreatorProfile
from marketplace.exceptions import RoleAlreadyHeld
from marketplace.models import User


def creator_profile_create(*, user: User, display_name: str) -> CreatorProfile:
    """Make ``user`` a creator. Raises ``RoleAlreadyHeld`` if they are one."""
    try:
        with transaction.atomic():
            return CreatorProfile.objects.create(user=user, display_name=display_name.strip())
    except IntegrityError:
        raise RoleAlreadyHeld(_("You already have a creator profile.")) from None
