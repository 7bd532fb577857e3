"""Writes of the creator side: the profile, projects, shots and shortlists."""

from datetime import date
from typing import Literal

from django.db import IntegrityError, transaction
from django.db.models import Max, ProtectedError
from django.utils.translation import gettext as _

from actors.models import ActorProfile
from actors.selectors import listed_actors
from creators.models import CreatorProfile, Project, ShortlistEntry, Shot
from marketplace.exceptions import DomainError, NotVisible, RoleAlreadyHeld
from marketplace.models import User


class ActorNotListed(NotVisible):
    """The actor is not on the roster (not opted in, not verified, suspended or unknown)."""


class ShotNumberTaken(DomainError):
    """Another shot of the project already has this number."""


class InvalidDates(DomainError):
    """The project would end before it starts."""


class ShotInUse(DomainError):
    """The shot is referenced by a request or contract and must stay."""


def creator_profile_create(*, user: User, display_name: str) -> CreatorProfile:
    """Make ``user`` a creator. Raises ``RoleAlreadyHeld`` if they are one."""
    try:
        with transaction.atomic():
            return CreatorProfile.objects.create(user=user, display_name=display_name.strip())
    except IntegrityError:
        raise RoleAlreadyHeld(_("You already have a creator profile.")) from None


def creator_profile_update(
    *,
    profile: CreatorProfile,
    display_name: str,
    studio: str = "",
    legal_name: str = "",
    website: str = "",
    bio: str = "",
    country: str = "",
    contact_preference: str,
) -> CreatorProfile:
    """Save what the creator shows to actors. Values are already validated."""
    profile.display_name = display_name.strip()
    profile.studio = studio.strip()
    profile.legal_name = " ".join(legal_name.split())
    profile.website = website.strip()
    profile.bio = bio.strip()
    profile.country = country
    profile.contact_preference = contact_preference
    profile.save()
    return profile


def _check_dates(start_date: date | None, end_date: date | None) -> None:
    if start_date and end_date and end_date < start_date:
        raise InvalidDates(_("The end date cannot be before the start date."))


def project_create(
    *,
    creator: CreatorProfile,
    title: str,
    category: str,
    logline: str = "",
    distribution_channels: list[str] | None = None,
    territory: str,
    ai_tools: str = "",
    start_date: date | None = None,
    end_date: date | None = None,
    status: str = Project.Status.DRAFT,
) -> Project:
    """A new project of ``creator``. Raises ``InvalidDates`` when it ends before it starts."""
    _check_dates(start_date, end_date)
    return Project.objects.create(
        creator=creator,
        title=title.strip(),
        logline=logline.strip(),
        category=category,
        distribution_channels=list(distribution_channels or []),
        territory=territory,
        ai_tools=ai_tools.strip(),
        start_date=start_date,
        end_date=end_date,
        status=status,
    )


def project_update(
    *,
    project: Project,
    title: str,
    category: str,
    logline: str = "",
    distribution_channels: list[str] | None = None,
    territory: str,
    ai_tools: str = "",
    start_date: date | None = None,
    end_date: date | None = None,
    status: str,
) -> Project:
    """Change a project's details and status. Raises ``InvalidDates``."""
    _check_dates(start_date, end_date)
    project.title = title.strip()
    project.logline = logline.strip()
    project.category = category
    project.distribution_channels = list(distribution_channels or [])
    project.territory = territory
    project.ai_tools = ai_tools.strip()
    project.start_date = start_date
    project.end_date = end_date
    project.status = status
    project.save()
    return project


def _number_taken() -> ShotNumberTaken:
    return ShotNumberTaken(_("Another shot of this project already has this number."))


def shot_add(
    *,
    project: Project,
    number: int,
    description: str,
    category: str,
    likeness_usage: list[str],
    duration_seconds: int,
) -> Shot:
    """Append a shot to the end of the project's shot list.

    Raises ``ShotNumberTaken`` when the number is in use (also when another
    request took it a moment ago: the database constraint decides).
    """
    try:
        with transaction.atomic():
            last = project.shots.aggregate(last=Max("position"))["last"] or 0
            return Shot.objects.create(
                project=project,
                number=number,
                position=last + 1,
                description=description.strip(),
                category=category,
                likeness_usage=list(dict.fromkeys(likeness_usage)),
                duration_seconds=duration_seconds,
            )
    except IntegrityError:
        raise _number_taken() from None


def shot_update(
    *,
    shot: Shot,
    number: int,
    description: str,
    category: str,
    likeness_usage: list[str],
    duration_seconds: int,
) -> Shot:
    """Change a shot. Raises ``ShotNumberTaken``; the row is then unchanged."""
    shot.number = number
    shot.description = description.strip()
    shot.category = category
    shot.likeness_usage = list(dict.fromkeys(likeness_usage))
    shot.duration_seconds = duration_seconds
    try:
        with transaction.atomic():
            shot.save()
    except IntegrityError:
        shot.refresh_from_db()
        raise _number_taken() from None
    return shot


def shot_remove(*, shot: Shot) -> None:
    """Delete a shot. Raises ``ShotInUse`` when a request or contract refers to it."""
    try:
        with transaction.atomic():
            shot.delete()
    except ProtectedError:
        raise ShotInUse(_("This shot is part of a request or contract and cannot be removed.")) from None


@transaction.atomic
def shot_move(*, shot: Shot, direction: Literal["up", "down"]) -> Shot:
    """Swap ``shot`` with its neighbour in the shot list; at either end nothing moves.

    Positions are renumbered 1..n, so rows that shared a position (made
    elsewhere, e.g. in the admin) get a definite order.
    """
    shots = list(
        Shot.objects.select_for_update().filter(project_id=shot.project_id).order_by(*(Shot._meta.ordering or ()))
    )
    index = next(i for i, candidate in enumerate(shots) if candidate.pk == shot.pk)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(shots):
        shots[index], shots[other] = shots[other], shots[index]
    changed = []
    for position, candidate in enumerate(shots, start=1):
        if candidate.position != position:
            candidate.position = position
            changed.append(candidate)
    Shot.objects.bulk_update(changed, ["position"])
    return next(candidate for candidate in shots if candidate.pk == shot.pk)


def shortlist_add(*, project: Project, actor: ActorProfile) -> ShortlistEntry:
    """Put ``actor`` on the project's shortlist; adding twice returns the existing entry.

    Raises ``ActorNotListed`` unless the actor is on the roster.
    """
    if not listed_actors().filter(pk=actor.pk).exists():
        raise ActorNotListed(_("This actor is not on the roster."))
    # get_or_create retries the read when a concurrent insert wins the race.
    entry, _created = ShortlistEntry.objects.get_or_create(project=project, actor=actor)
    return entry


def shortlist_remove(*, project: Project, actor: ActorProfile) -> None:
    """Take ``actor`` off the project's shortlist; removing twice does nothing."""
    ShortlistEntry.objects.filter(project=project, actor=actor).delete()
