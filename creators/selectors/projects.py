"""Reads of the creator side, scoped to who asks."""

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from actors.models import ActorProfile
from actors.selectors import listed_actors
from creators.models import CreatorProfile, Project, ShortlistEntry, Shot
from marketplace.models import User

OPEN_PROJECT_STATUSES = (Project.Status.DRAFT, Project.Status.ACTIVE)


def creator_profile_for_user(user: User) -> CreatorProfile | None:
    if not user.is_authenticated:
        return None
    return CreatorProfile.objects.filter(user=user).first()


def creator_profile_of(user: User) -> CreatorProfile:
    """The creator profile of a user who passed a creator check
    (``creator_required``, ``IsCreator``). Raises ``PermissionDenied`` when
    there is none (the profile was removed since the check)."""
    profile = creator_profile_for_user(user)
    if profile is None:
        raise PermissionDenied
    return profile


def roster_refusal(state: dict) -> str | None:
    """Why a signed-in user may not browse the roster ("not_creator",
    "email_unverified"), or None: creators with a verified email address
    only, on the roster pages and in the API alike. ``state`` is the
    request's ``portal_state``, which holds both answers."""
    if not state["is_creator"]:
        return "not_creator"
    if not state["has_verified_email"]:
        return "email_unverified"
    return None


def creator_profiles_visible() -> QuerySet[CreatorProfile]:
    """Creator pages any signed-in user may open, with ``active_project_count``.

    Accounts that are deactivated or suspended, and profiles a moderator
    hid, have no page.
    """
    return CreatorProfile.objects.filter(
        user__is_active=True, user__suspended_at__isnull=True, hidden_at__isnull=True
    ).annotate(active_project_count=Count("projects", filter=Q(projects__status=Project.Status.ACTIVE)))


def projects_for_user(user: User) -> QuerySet[Project]:
    """The projects ``user`` owns as a creator (none for anyone else)."""
    if not user.is_authenticated:
        return Project.objects.none()
    return Project.objects.filter(creator__user=user)


def projects_with_shot_counts(user: User) -> QuerySet[Project]:
    """The user's projects, each with ``shot_count``, in one query."""
    # Meta.ordering does not apply to a grouped query: order explicitly.
    return projects_for_user(user).annotate(shot_count=Count("shots")).order_by("-updated_at", "-id")


def projects_with_shortlist_flag(user: User, actor: ActorProfile) -> QuerySet[Project]:
    """The user's open (draft or active) projects, each with ``shortlisted``:
    whether ``actor`` is on its shortlist. For the shortlist toggles next to an
    actor, in one query."""
    on_shortlist = ShortlistEntry.objects.filter(project=OuterRef("pk"), actor=actor)
    return (
        projects_for_user(user)
        .filter(status__in=OPEN_PROJECT_STATUSES)
        .annotate(shortlisted=Exists(on_shortlist))
        .order_by("title", "id")
    )


def shots_for_project(project: Project) -> QuerySet[Shot]:
    return Shot.objects.filter(project=project)


def shortlist_for_project(project: Project) -> QuerySet[ShortlistEntry]:
    """Entries whose actor is still on the roster: one who opts out is hidden at once."""
    return (
        ShortlistEntry.objects.filter(project=project, actor__in=listed_actors())
        .select_related("actor")
        .order_by("actor__stage_name", "id")
    )


def shortlist_removable_actors(project: Project) -> QuerySet[ActorProfile]:
    """Actors the creator may take off ``project``'s shortlist: anyone listed,
    and anyone already on it (so an entry can be cleared after the actor left)."""
    return ActorProfile.objects.filter(
        Q(pk__in=listed_actors().values("pk"))
        | Q(pk__in=ShortlistEntry.objects.filter(project=project).values("actor"))
    )


def shortlisted_actor_ids(*, project: Project, actor_ids: list[int]) -> set[int]:
    """Which of ``actor_ids`` are on ``project``'s shortlist: one query for a
    whole page of cards, never one per card."""
    if not actor_ids:
        return set()
    entries = ShortlistEntry.objects.filter(project=project, actor_id__in=actor_ids)
    return set(entries.values_list("actor_id", flat=True))
