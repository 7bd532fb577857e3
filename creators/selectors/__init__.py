"""Reads of the creator side: profiles, projects, shots and shortlists
(``projects``) and the roster search (``roster``)."""

from creators.selectors.projects import (
    OPEN_PROJECT_STATUSES,
    creator_profile_for_user,
    creator_profile_of,
    creator_profiles_visible,
    projects_for_user,
    projects_with_shortlist_flag,
    projects_with_shot_counts,
    roster_refusal,
    shortlist_for_project,
    shortlist_removable_actors,
    shortlisted_actor_ids,
    shots_for_project,
)

__all__ = [
    "OPEN_PROJECT_STATUSES",
    "creator_profile_for_user",
    "creator_profile_of",
    "creator_profiles_visible",
    "projects_for_user",
    "projects_with_shortlist_flag",
    "projects_with_shot_counts",
    "roster_refusal",
    "shortlist_for_project",
    "shortlist_removable_actors",
    "shortlisted_actor_ids",
    "shots_for_project",
]
