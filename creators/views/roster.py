"""The talent roster (/roster/) and an actor's page on it (/roster/<slug>/).

Signed-in creators with a verified email only. The search itself lives in
``creators.selectors.roster``; these views validate the GET parameters, call it once and
render. htmx requests for the results get only the results partial.
"""

import hashlib
from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.core.cache import caches
from django.http import HttpResponse, QueryDict
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from actors.models import ActorProfile, RedLines
from actors.selectors import listed_actors, viewable_photos
from creators.forms import RESULTS_TARGET, RosterFilterForm
from creators.models import Project
from creators.selectors import (
    OPEN_PROJECT_STATUSES,
    projects_for_user,
    projects_with_shortlist_flag,
    roster_refusal,
    shortlisted_actor_ids,
)
from creators.selectors.roster import roster_search
from marketplace.http import AuthenticatedRequest, PortalRequest, get_in_scope_or_404, portal_state


def creator_roster_access(view):
    """Signed-in creators with a verified email address.

    Anonymous visitors go to sign in; anyone else is told why they cannot
    browse (403, audited by the middleware).
    """

    @wraps(view)
    def wrapper(request: PortalRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        reason = roster_refusal(portal_state(request))
        if reason:
            return render(request, "creators/roster_denied.html", {"reason": reason}, status=403)
        return view(request, *args, **kwargs)

    return wrapper


def roster_cards(actors: list[ActorProfile], *, project_query: str) -> list[tuple[ActorProfile, SafeString]]:
    """Each actor with its card (``_roster_card.html``), rendered at most
    once per process for the same version of the actor and language.

    Cards live in the per-process "local" cache, keyed by everything a card
    shows (the actor's id, slug, name, headline, languages, fee,
    verification and photo) with the language and the project query. A key
    names one version of a card, so nothing is ever invalidated, whichever
    way a profile changed (a save moves updated_at, a queryset update does
    not). No viewer's state is in a card: the shortlist footer is rendered
    per request."""
    language = get_language()
    keys = {}
    for actor in actors:
        # primary_photo_id is an annotation of the roster's query.
        photo = getattr(actor, "primary_photo_id", None)
        shown = (actor.stage_name, actor.headline, tuple(actor.languages), actor.min_fee, actor.fee_currency)
        version = (actor.pk, actor.slug, *shown, actor.is_verified, photo, language, project_query)
        keys[actor.pk] = "roster-card:" + hashlib.sha256(repr(version).encode()).hexdigest()
    found = caches["local"].get_many(list(keys.values()))
    drawn = {}
    cards = []
    for actor in actors:
        card = found.get(keys[actor.pk])
        if card is None:
            card = render_to_string("creators/_roster_card.html", {"actor": actor, "project_query": project_query})
            drawn[keys[actor.pk]] = card
        cards.append((actor, card))
    if drawn:
        caches["local"].set_many(drawn)
    return cards


def _open_projects(request: AuthenticatedRequest) -> list[Project]:
    return list(projects_for_user(request.user).filter(status__in=OPEN_PROJECT_STATUSES).order_by("title", "id"))


def _chosen(projects: list[Project], raw: str | None) -> Project | None:
    """The project named by ``raw``, if it is one of ``projects``; otherwise
    none (a link shared by another creator simply shows no shortlist)."""
    return next((project for project in projects if str(project.pk) == (raw or "").strip()), None)


def _query(request: AuthenticatedRequest, **changes) -> str:
    """The current query string without empty values, with ``changes``."""
    query = QueryDict(mutable=True)
    for key, values in request.GET.lists():
        kept = [value for value in values if value != ""]
        if kept and key not in changes:
            query.setlist(key, kept)
    for key, value in changes.items():
        if value:
            query[key] = value
    return query.urlencode()


@require_safe
@creator_roster_access
def roster(request: AuthenticatedRequest) -> HttpResponse:
    form = RosterFilterForm(request.GET)
    projects = _open_projects(request)
    project = _chosen(projects, request.GET.get("project"))
    page = None
    context = {"form": form, "projects": projects, "project": project, "results_target": RESULTS_TARGET}
    if form.is_valid():
        page = roster_search(params=form.params(), cursor=request.GET.get("cursor") or None)
        if project is not None:
            context["on_shortlist"] = shortlisted_actor_ids(
                project=project, actor_ids=[actor.pk for actor in page.actors]
            )
        path = request.path
        if page.suggestion:
            context["suggestion_url"] = f"{path}?{_query(request, q=page.suggestion, cursor='')}"
        if page.next_cursor:
            context["next_url"] = f"{path}?{_query(request, cursor=page.next_cursor)}"
        if page.previous_cursor:
            context["previous_url"] = f"{path}?{_query(request, cursor=page.previous_cursor)}"
    project_query = urlencode({"project": project.pk}) if project else ""
    # Everything the filters show (roster.html caches them by it): each
    # field's value as the form reads it (errors follow from those), the
    # open projects and the chosen one.
    values = [request.GET.get(name) for name in form.fields]
    context["filters_key"] = repr((values, [(option.pk, option.title) for option in projects], project and project.pk))
    context["page"] = page
    context["project_query"] = project_query
    if page is not None:
        context["cards"] = roster_cards(page.actors, project_query=project_query)

    partial = request.htmx and not request.htmx.history_restore_request
    if partial:
        # htmx does not swap 4xx answers; the partial shows the errors instead.
        response = render(request, "creators/_roster_results.html", context)
    else:
        response = render(request, "creators/roster.html", context, status=200 if form.is_valid() else 400)
    # The same URL answers with a partial or a page: caches must tell them apart.
    patch_vary_headers(response, ("HX-Request",))
    return response


@require_safe
@creator_roster_access
def roster_actor(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    actor = get_in_scope_or_404(request, listed_actors(), slug=slug)
    red_lines = RedLines.objects.filter(actor=actor).first()
    photos = viewable_photos(actor)
    projects = list(projects_with_shortlist_flag(request.user, actor))
    context = {
        "actor": actor,
        "red_lines": red_lines,
        "photos": photos,
        "projects": projects,
        "chosen_project": _chosen(projects, request.GET.get("project")),
    }
    return render(request, "creators/actor_page.html", context)
