"""The composer: a creator asks one or more actors for some shots of one of
their projects, one request per actor, all sent or none."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from actors.models import ActorProfile
from actors.selectors import listed_actors
from creators.models import Project, Shot
from creators.selectors import OPEN_PROJECT_STATUSES, creator_profile_of, projects_for_user, shots_for_project
from creators.services import ActorNotListed
from marketplace.http import AuthenticatedRequest, get_in_scope_or_404, portal_state
from usage_requests import selectors
from usage_requests.forms import RequestComposeForm
from usage_requests.models import UsageRequest, likeness_usage_labels
from usage_requests.services import (
    DuplicateOpenRequest,
    InvalidTerms,
    RedLineViolation,
    RedLineViolations,
    usage_requests_send,
)
from usage_requests.views.requests import channel_labels

# One request per actor; a shortlist large enough for a casting call, small
# enough that the red-line check of every actor stays quick.
MAX_ACTORS_PER_SEND = 20


def _actors_from_query(request: HttpRequest) -> list[ActorProfile]:
    """Listed actors named by ``?actor=`` (repeatable); 404 for any other slug."""
    slugs = list(dict.fromkeys(slug.strip() for slug in request.GET.getlist("actor") if slug.strip()))
    if len(slugs) > MAX_ACTORS_PER_SEND and request.method == "GET":
        messages.warning(
            request,
            _("One request can go to at most %(max)s actors at a time; the first %(max)s are kept.")
            % {"max": MAX_ACTORS_PER_SEND},
        )
    slugs = slugs[:MAX_ACTORS_PER_SEND]
    found = {actor.slug: actor for actor in listed_actors().filter(slug__in=slugs)}
    for slug in slugs:
        if slug not in found:
            # Audited like any other look-up outside the caller's scope.
            get_in_scope_or_404(request, listed_actors(), slug=slug)
    return [found[slug] for slug in slugs]


def _composer_url(actors: list[ActorProfile], project: Project | None = None) -> str:
    query = [("actor", actor.slug) for actor in actors]
    if project is not None:
        query.append(("project", str(project.pk)))
    return f"{reverse('usage_requests:request_new')}?{urlencode(query)}"


def _composer_actors(
    actors: list[ActorProfile], project: Project | None, refusals: list[RedLineViolation] | None = None
) -> list[dict[str, object]]:
    red_lines = selectors.red_lines_by_actor(actors)
    reasons = {refusal.actor.pk: refusal.reasons for refusal in refusals or [] if refusal.actor is not None}
    return [
        {
            "actor": actor,
            "red_lines": red_lines.get(actor.pk),
            "reasons": reasons.get(actor.pk, []),
            "remove_url": _composer_url([other for other in actors if other.pk != actor.pk], project)
            if len(actors) > 1
            else "",
        }
        for actor in actors
    ]


def _picker_context(request: AuthenticatedRequest, actors: list[ActorProfile]) -> dict[str, object]:
    projects = projects_for_user(request.user).filter(status__in=OPEN_PROJECT_STATUSES).order_by("title", "id")
    return {"actors": _composer_actors(actors, None), "projects": list(projects)}


def _composer_page(
    request: AuthenticatedRequest,
    form: RequestComposeForm,
    project: Project,
    shots: QuerySet[Shot],
    actors: list[ActorProfile],
    *,
    refusals: list[RedLineViolation] | None = None,
    duplicate: DuplicateOpenRequest | None = None,
) -> HttpResponse:
    """The composer with ``form`` as it stands; 400 after a POST (a refused
    or invalid one: a sent one redirects)."""
    context = {
        "form": form,
        "project": project,
        "channel_labels": channel_labels(project),
        "shots": [(shot, likeness_usage_labels(shot.likeness_usage)) for shot in shots],
        "selected_shots": {str(value) for value in form["shots"].value() or []},
        "actors": _composer_actors(actors, project, refusals),
        "refusals": refusals or [],
        "duplicate": duplicate,
        "other_projects_url": _composer_url(actors),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "usage_requests/request_compose.html", context, status=status)


def _sent_page(request: HttpRequest, sent: list[UsageRequest]) -> HttpResponse:
    """Where a creator lands after sending: the request, or the inbox for several."""
    if len(sent) == 1:
        messages.success(
            request,
            _("Request sent to %(actor)s. You will be told when they answer.") % {"actor": sent[0].actor.stage_name},
        )
        return redirect("usage_requests:request_detail", pk=sent[0].pk)
    messages.success(
        request,
        _("%(count)s requests sent, one to each actor. All of them are in your inbox.") % {"count": len(sent)},
    )
    return redirect("usage_requests:inbox")


def _send(
    request: AuthenticatedRequest,
    form: RequestComposeForm,
    project: Project,
    shots: QuerySet[Shot],
    actors: list[ActorProfile],
) -> HttpResponse:
    """Send the valid ``form``; a refusal shows the composer again with why."""
    data = form.cleaned_data
    try:
        sent = usage_requests_send(
            creator=creator_profile_of(request.user),
            actors=actors,
            project=project,
            shots=list(data["shots"]),
            message=data["message"],
            **form.terms(),
        )
    except RedLineViolations as exc:
        return _composer_page(request, form, project, shots, actors, refusals=exc.refusals)
    except RedLineViolation as exc:
        return _composer_page(request, form, project, shots, actors, refusals=[exc])
    except DuplicateOpenRequest as exc:
        return _composer_page(request, form, project, shots, actors, duplicate=exc)
    except InvalidTerms as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return _composer_page(request, form, project, shots, actors)
    except ActorNotListed:
        # The actor left the roster while the form was open: as invisible as an unknown slug.
        raise Http404 from None
    return _sent_page(request, sent)


@require_http_methods(["GET", "POST"])
@login_required
def request_new(request: AuthenticatedRequest) -> HttpResponse:
    """``?actor=<slug>`` (repeatable) ``&project=<id>``: one request per actor,
    all sent or none. Without a project, a picker of the creator's open ones."""
    if not portal_state(request)["is_creator"]:
        raise PermissionDenied
    actors = _actors_from_query(request)
    if not actors:
        messages.info(request, _("Choose the actor to ask from the roster or from a project's shortlist."))
        return redirect("roster")
    raw_project = request.GET.get("project", "").strip()
    if not raw_project:
        status = 400 if request.method == "POST" else 200
        return render(
            request, "usage_requests/request_pick_project.html", _picker_context(request, actors), status=status
        )
    project = get_in_scope_or_404(request, projects_for_user(request.user), pk=raw_project)
    shots = shots_for_project(project).order_by("position", "number", "id")
    form = RequestComposeForm(request.POST if request.method == "POST" else None, shots=shots)
    if request.method == "POST" and form.is_valid():
        return _send(request, form, project, shots, actors)
    return _composer_page(request, form, project, shots, actors)
