"""The request pages: the composer, the inbox, the request page with its
actions, and the message thread (htmx and plain forms alike).

Every request is fetched through ``usage_requests.selectors``, so a request
the caller is not a party of is a 404. Each action calls one service; a
refused move becomes a message on the request page and changes nothing.
"""

from collections.abc import Callable
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from actors.models import ActorProfile
from actors.selectors import listed_actors
from creators.models import DistributionChannel, LikenessUsage, Project
from creators.selectors import OPEN_PROJECT_STATUSES, creator_profile_for_user, projects_for_user, shots_for_project
from creators.services import ActorNotListed
from marketplace.exceptions import DomainError
from marketplace.http import get_in_scope_or_404, portal_state
from usage_requests import selectors
from usage_requests.forms import (
    CounterForm,
    MessageForm,
    ReasonForm,
    RequestComposeForm,
    ShotDecisionsForm,
    TermsVersionForm,
)
from usage_requests.models import (
    OPEN_REQUEST_STATUSES,
    Party,
    RequestEvent,
    RequestStatus,
    UsageRequest,
    party_label,
)
from usage_requests.services import (
    DuplicateOpenRequest,
    InvalidTerms,
    RedLineViolation,
    RedLineViolations,
    message_send,
    thread_mark_read,
    usage_request_accept,
    usage_request_accept_counter,
    usage_request_counter,
    usage_request_decide_and_accept,
    usage_request_decide_shots,
    usage_request_decline,
    usage_request_withdraw,
    usage_requests_send,
)
from usage_requests.services.messages import MESSAGING_STATUSES

# One request per actor; a shortlist large enough for a casting call, small
# enough that the red-line check of every actor stays quick.
MAX_ACTORS_PER_SEND = 20


# --- Composer ---------------------------------------------------------------------


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
        query.append(("project", project.pk))
    return f"{reverse('usage_requests:request_new')}?{urlencode(query)}"


def _with_likeness_labels(shots) -> list:
    labels = dict(LikenessUsage.choices)
    shots = list(shots)
    for shot in shots:
        shot.likeness_labels = [labels[key] for key in shot.likeness_usage if key in labels]
    return shots


def _composer_actors(actors: list[ActorProfile], project: Project | None, refusals=()) -> list[dict]:
    red_lines = selectors.red_lines_by_actor(actors)
    reasons = {refusal.actor.pk: refusal.reasons for refusal in refusals if refusal.actor is not None}
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


@require_http_methods(["GET", "POST"])
@login_required
def request_new(request: HttpRequest) -> HttpResponse:
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
        if request.method == "POST":
            return render(request, "usage_requests/request_pick_project.html", _picker_context(request, actors), 400)
        return render(request, "usage_requests/request_pick_project.html", _picker_context(request, actors))
    project = get_in_scope_or_404(request, projects_for_user(request.user), pk=raw_project)
    shots = shots_for_project(project).order_by("position", "number", "id")
    form = RequestComposeForm(request.POST if request.method == "POST" else None, shots=shots)
    refusals: list[RedLineViolation] = []
    duplicate = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sent = usage_requests_send(
                creator=creator_profile_for_user(request.user),
                actors=actors,
                project=project,
                shots=list(data["shots"]),
                message=data["message"],
                **form.terms(),
            )
        except RedLineViolations as exc:
            refusals = exc.refusals
        except RedLineViolation as exc:
            refusals = [exc]
        except DuplicateOpenRequest as exc:
            duplicate = exc
        except InvalidTerms as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        except ActorNotListed:
            # The actor left the roster while the form was open: as invisible as an unknown slug.
            raise Http404 from None
        else:
            if len(sent) == 1:
                messages.success(
                    request,
                    _("Request sent to %(actor)s. You will be told when they answer.")
                    % {"actor": sent[0].actor.stage_name},
                )
                return redirect("usage_requests:request_detail", pk=sent[0].pk)
            messages.success(
                request,
                _("%(count)s requests sent, one to each actor. All of them are in your inbox.") % {"count": len(sent)},
            )
            return redirect("usage_requests:inbox")
    selected = {str(value) for value in form["shots"].value() or []}
    context = {
        "form": form,
        "project": project,
        "channel_labels": _channel_labels(project),
        "shots": _with_likeness_labels(shots),
        "selected_shots": selected,
        "actors": _composer_actors(actors, project, refusals),
        "refusals": refusals,
        "duplicate": duplicate,
        "other_projects_url": _composer_url(actors),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "usage_requests/request_compose.html", context, status=status)


def _picker_context(request: HttpRequest, actors: list[ActorProfile]) -> dict:
    projects = projects_for_user(request.user).filter(status__in=OPEN_PROJECT_STATUSES).order_by("title", "id")
    return {"actors": _composer_actors(actors, None), "projects": list(projects)}


def _channel_labels(project: Project) -> list[str]:
    labels = dict(DistributionChannel.choices)
    return [labels[key] for key in project.distribution_channels if key in labels]


# --- Inbox ------------------------------------------------------------------------


@require_safe
@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    state = portal_state(request)
    if not (state["is_actor"] or state["is_creator"]):
        raise PermissionDenied
    groups = selectors.inbox_for_user(request.user)
    sections = [
        ("awaiting_me", _("Waiting for you"), groups["awaiting_me"]),
        ("awaiting_other", _("Waiting for the other side"), groups["awaiting_other"]),
        ("closed", _("Closed"), groups["closed"]),
    ]
    return render(request, "usage_requests/inbox.html", {"sections": sections, "now": timezone.now()})


# --- Request page -----------------------------------------------------------------


def _request_for(request: HttpRequest, pk: int) -> UsageRequest:
    return get_in_scope_or_404(request, selectors.request_detail(request.user), pk=pk)


def _back(req: UsageRequest, anchor: str = "") -> HttpResponse:
    url = reverse("usage_requests:request_detail", kwargs={"pk": req.pk})
    return redirect(f"{url}#{anchor}" if anchor else url)


def _contract_url(contract_id: int | None) -> str:
    if contract_id is None:
        return ""
    return reverse("usage_requests:contract_detail", kwargs={"pk": contract_id})


def _timeline(req: UsageRequest) -> list[RequestEvent]:
    causes = {
        "actor_opted_out": _("Declined automatically: the actor left the roster, which closes every open request."),
        "account_suspended": _("Declined automatically: an account taking part in this request was suspended."),
    }
    events = list(selectors.request_timeline(req))
    for event in events:
        data = event.data or {}
        event.party_label = party_label(event.by_party)
        event.cause_text = causes.get(data.get("cause", ""), "")
        event.reason = data.get("reason", "") if not event.cause_text else ""
        event.shot_number = data.get("shot")
        event.decision_label = {"approved": _("approved"), "vetoed": _("vetoed"), "undecided": _("not decided")}.get(
            data.get("decision", ""), ""
        )
        event.note = data.get("note", "")
        event.terms_version = data.get("terms_version")
    return events


def _thread_context(req: UsageRequest, party: str) -> dict:
    counterpart = req.creator.display_name if party == Party.ACTOR else req.actor.stage_name
    thread = list(selectors.messages_for_request(req))
    for message in thread:
        message.is_mine = message.sender_party == party
        message.sender_label = _("You") if message.is_mine else counterpart
    return {
        "req": req,
        "thread": thread,
        "can_write": req.status in MESSAGING_STATUSES,
        "polling": req.status in MESSAGING_STATUSES,
    }


def _detail_context(request: HttpRequest, req: UsageRequest, **forms) -> dict:
    party = req.party_of(request.user)
    terms = list(req.terms.all())
    latest = terms[-1] if terms else None
    is_open = req.status in OPEN_REQUEST_STATUSES
    actor_turn = party == Party.ACTOR and req.status == RequestStatus.PENDING
    creator_turn = party == Party.CREATOR and req.status == RequestStatus.COUNTERED
    request_shots = list(req.request_shots.all())
    labels = dict(LikenessUsage.choices)
    for row in request_shots:
        row.likeness_labels = [labels[key] for key in row.shot.likeness_usage if key in labels]
    context = {
        "req": req,
        "party": party,
        "party_label": party_label(party),
        "counterpart_party": Party.CREATOR if party == Party.ACTOR else Party.ACTOR,
        "project": req.project,
        "channel_labels": _channel_labels(req.project),
        "request_shots": request_shots,
        "latest_terms": latest,
        "earlier_terms": list(reversed(terms[:-1])),
        "timeline": _timeline(req),
        "now": timezone.now(),
        "expired_unswept": is_open and req.expires_at <= timezone.now(),
        "contract_url": _contract_url(selectors.contract_id_for_request(req))
        if req.status == RequestStatus.ACCEPTED
        else "",
        "actor_turn": actor_turn,
        "creator_turn": creator_turn,
        "can_withdraw": party == Party.CREATOR and is_open,
        "decide_form": forms.get("decide_form")
        or (
            ShotDecisionsForm(request_shots=request_shots, initial={"terms_version": req.terms_version})
            if actor_turn
            else None
        ),
        "counter_form": forms.get("counter_form")
        or (CounterForm.prefilled(latest, req.terms_version) if actor_turn and latest else None),
        "accept_form": TermsVersionForm(initial={"terms_version": req.terms_version}),
        "reason_form": forms.get("reason_form") or ReasonForm(),
        "message_form": forms.get("message_form") or MessageForm(),
        **_thread_context(req, party),
    }
    return context


def _detail_page(request: HttpRequest, req: UsageRequest, *, status: int = 200, **forms) -> HttpResponse:
    context = _detail_context(request, req, **forms)
    thread_mark_read(request=req, user=request.user)
    return render(request, "usage_requests/request_detail.html", context, status=status)


@require_safe
@login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, _request_for(request, pk))


# --- Actions ----------------------------------------------------------------------


def _require_party(req: UsageRequest, request: HttpRequest, party: str) -> None:
    # The service checks this too; checking first gives a 403 before a form error.
    if req.party_of(request.user) != party:
        raise PermissionDenied


def _attempt(request: HttpRequest, req: UsageRequest, move: Callable[[], object], success: str) -> HttpResponse:
    """Run one service call; a refused move is an error message and no change."""
    try:
        move()
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return _back(req)


@require_POST
@login_required
def request_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the actor's shot decisions; with ``action=accept`` save them and
    accept the latest terms in one transaction (a refusal keeps neither)."""
    req = _request_for(request, pk)
    _require_party(req, request, Party.ACTOR)
    form = ShotDecisionsForm(request.POST, request_shots=list(req.request_shots.all()))
    if not form.is_valid():
        return _detail_page(request, req, status=400, decide_form=form)
    if form.cleaned_data["action"] != "accept":
        try:
            usage_request_decide_shots(request=req, user=request.user, decisions=form.decisions())
        except DomainError as exc:
            messages.error(request, exc.message)
            return _back(req)
        messages.success(request, _("Your decisions are saved."))
        return _back(req, "shots")
    try:
        # One service, one transaction: a refused acceptance keeps no decision.
        usage_request_decide_and_accept(
            usage_request=req,
            user=request.user,
            decisions=form.decisions(),
            terms_version=form.cleaned_data["terms_version"],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return _back(req, "shots")
    messages.success(request, _("Accepted. The contract is ready for both signatures."))
    return _back(req)


@require_POST
@login_required
def request_accept(request: HttpRequest, pk: int) -> HttpResponse:
    req = _request_for(request, pk)
    _require_party(req, request, Party.ACTOR)
    form = TermsVersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The form was incomplete. Nothing was changed."))
        return _detail_page(request, req, status=400)
    return _attempt(
        request,
        req,
        lambda: usage_request_accept(request=req, user=request.user, terms_version=form.cleaned_data["terms_version"]),
        _("Accepted. The contract is ready for both signatures."),
    )


@require_POST
@login_required
def request_decline(request: HttpRequest, pk: int) -> HttpResponse:
    req = _request_for(request, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, req, status=400, reason_form=form)
    reason = form.cleaned_data["reason"]
    return _attempt(
        request,
        req,
        lambda: usage_request_decline(request=req, user=request.user, reason=reason),
        _("The request is declined. The other side has been told."),
    )


@require_POST
@login_required
def request_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    req = _request_for(request, pk)
    _require_party(req, request, Party.CREATOR)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, req, status=400, reason_form=form)
    reason = form.cleaned_data["reason"]
    return _attempt(
        request,
        req,
        lambda: usage_request_withdraw(request=req, user=request.user, reason=reason),
        _("The request is withdrawn. The actor has been told."),
    )


@require_POST
@login_required
def request_counter(request: HttpRequest, pk: int) -> HttpResponse:
    req = _request_for(request, pk)
    _require_party(req, request, Party.ACTOR)
    form = CounterForm(request.POST, prefix="counter")
    if form.is_valid():
        data = form.cleaned_data
        try:
            usage_request_counter(
                request=req,
                user=request.user,
                terms_version=data["terms_version"],
                note=data["note"],
                **form.terms(),
            )
        except InvalidTerms as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        except DomainError as exc:
            messages.error(request, exc.message)
            return _back(req)
        else:
            messages.success(request, _("Your counter-offer is sent. The creator decides next."))
            return _back(req)
    return _detail_page(request, req, status=400, counter_form=form)


@require_POST
@login_required
def request_accept_counter(request: HttpRequest, pk: int) -> HttpResponse:
    req = _request_for(request, pk)
    _require_party(req, request, Party.CREATOR)
    form = TermsVersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The form was incomplete. Nothing was changed."))
        return _detail_page(request, req, status=400)
    version = form.cleaned_data["terms_version"]
    return _attempt(
        request,
        req,
        lambda: usage_request_accept_counter(request=req, user=request.user, terms_version=version),
        _("You accepted the counter-offer. The actor now confirms the shots and accepts."),
    )


# --- Messages ---------------------------------------------------------------------


def _messages_section(request: HttpRequest, req: UsageRequest, *, form=None, notice: str = "") -> HttpResponse:
    context = {**_thread_context(req, req.party_of(request.user)), "message_form": form or MessageForm()}
    context["notice"] = notice
    return render(request, "usage_requests/_thread_section.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def request_messages(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the thread (what the page polls), marking it read. POST: send a
    message; htmx gets the section back with an empty form, a plain form a
    redirect."""
    req = _request_for(request, pk)
    if request.method == "GET":
        if not request.htmx:
            return _back(req, "messages")
        context = _thread_context(req, req.party_of(request.user))
        thread_mark_read(request=req, user=request.user)
        return render(request, "usage_requests/_thread.html", context)
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            message_send(request=req, user=request.user, body=form.cleaned_data["body"])
        except DomainError as exc:
            form.add_error("body", exc.message)
        else:
            if request.htmx:
                return _messages_section(request, req)
            messages.success(request, _("Message sent."))
            return _back(req, "messages")
    if request.htmx:
        # htmx does not swap a 4xx answer: the section comes back with the error.
        return _messages_section(request, req, form=form)
    return _detail_page(request, req, status=400, message_form=form)
