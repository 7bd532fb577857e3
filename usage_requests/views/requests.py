"""The request pages: the inbox, and the request page with its actions.

Every request is fetched through ``usage_requests.selectors``, so a request
the caller is not a party of is a 404. Each action calls one service; a
refused move becomes a message on the request page and changes nothing. The
composer (``composer``) and the message thread (``messages``) have their own
modules.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from creators.models import DistributionChannel, Project
from marketplace.exceptions import DomainError
from marketplace.http import AuthenticatedRequest, get_in_scope_or_404, portal_state
from usage_requests import selectors
from usage_requests.forms import (
    AcceptForm,
    CounterForm,
    MessageForm,
    ReasonForm,
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
    InvalidTerms,
    thread_mark_read,
    usage_request_accept,
    usage_request_accept_counter,
    usage_request_counter,
    usage_request_decide_and_accept,
    usage_request_decide_shots,
    usage_request_decline,
    usage_request_withdraw,
)
from usage_requests.services.messages import MESSAGING_STATUSES


def channel_labels(project: Project) -> list[str]:
    """The project's distribution channels in the reader's language (the
    request page and the composer)."""
    labels = dict(DistributionChannel.choices)
    return [str(labels[key]) for key in project.distribution_channels if key in labels]


# --- Inbox ------------------------------------------------------------------------


@require_safe
@login_required
def inbox(request: AuthenticatedRequest) -> HttpResponse:
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


def request_for_user(request: AuthenticatedRequest, pk: int) -> UsageRequest:
    return get_in_scope_or_404(request, selectors.request_detail(request.user), pk=pk)


def back_to_request(req: UsageRequest, anchor: str = "") -> HttpResponse:
    url = reverse("usage_requests:request_detail", kwargs={"pk": req.pk})
    return redirect(f"{url}#{anchor}" if anchor else url)


def _contract_url(contract_id: int | None) -> str:
    if contract_id is None:
        return ""
    return reverse("usage_requests:contract_detail", kwargs={"pk": contract_id})


@dataclass(frozen=True)
class TimelineEntry:
    """One move on the request's timeline, with what its page says about it."""

    event: RequestEvent
    party_label: str
    cause_text: str
    reason: str
    shot_number: int | None
    note: str
    terms_version: int | None


def _timeline(req: UsageRequest) -> list[TimelineEntry]:
    causes = {
        "actor_opted_out": _("Declined automatically: the actor left the roster, which closes every open request."),
        "account_suspended": _("Declined automatically: an account taking part in this request was suspended."),
    }
    entries = []
    for event in selectors.request_timeline(req):
        data = event.data or {}
        cause_text = causes.get(data.get("cause", ""), "")
        entries.append(
            TimelineEntry(
                event=event,
                party_label=party_label(event.by_party),
                cause_text=cause_text,
                reason=data.get("reason", "") if not cause_text else "",
                shot_number=data.get("shot"),
                note=data.get("note", ""),
                terms_version=data.get("terms_version"),
            )
        )
    return entries


def thread_context(req: UsageRequest, party: str | None) -> dict[str, Any]:
    """The message thread as ``_thread.html`` shows it to ``party``."""
    return {
        "req": req,
        "thread": list(selectors.messages_for_request(req)),
        "party": party,
        "counterpart": req.creator.display_name if party == Party.ACTOR else req.actor.stage_name,
        "can_write": req.status in MESSAGING_STATUSES,
        "polling": req.status in MESSAGING_STATUSES,
    }


def _detail_context(request: AuthenticatedRequest, req: UsageRequest, **forms: Form) -> dict[str, Any]:
    party = req.party_of(request.user)
    history = selectors.terms_history(list(req.terms.all()))
    latest = history[-1].terms if history else None
    is_open = req.status in OPEN_REQUEST_STATUSES
    actor_turn = party == Party.ACTOR and req.status == RequestStatus.PENDING
    creator_turn = party == Party.CREATOR and req.status == RequestStatus.COUNTERED
    request_shots = list(req.request_shots.all())
    context = {
        "req": req,
        "party": party,
        "party_label": party_label(party) if party else "",
        "counterpart_party": Party.CREATOR if party == Party.ACTOR else Party.ACTOR,
        "project": req.project,
        "channel_labels": channel_labels(req.project),
        "request_shots": request_shots,
        "latest_terms": history[-1] if history else None,
        "earlier_terms": list(reversed(history[:-1])),
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
        "accept_form": AcceptForm(initial={"terms_version": req.terms_version}),
        "reason_form": forms.get("reason_form") or ReasonForm(),
        "message_form": forms.get("message_form") or MessageForm(),
        **thread_context(req, party),
    }
    return context


def request_page(request: AuthenticatedRequest, req: UsageRequest, *, status: int = 200, **forms: Form) -> HttpResponse:
    context = _detail_context(request, req, **forms)
    thread_mark_read(request=req, user=request.user)
    return render(request, "usage_requests/request_detail.html", context, status=status)


@require_safe
@login_required
def request_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return request_page(request, request_for_user(request, pk))


# --- Actions ----------------------------------------------------------------------


def _require_party(req: UsageRequest, request: AuthenticatedRequest, party: str) -> None:
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
    return back_to_request(req)


@require_POST
@login_required
def request_decide(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Save the actor's shot decisions; with ``action=accept`` save them and
    accept the latest terms in one transaction (a refusal keeps neither)."""
    req = request_for_user(request, pk)
    _require_party(req, request, Party.ACTOR)
    form = ShotDecisionsForm(request.POST, request_shots=list(req.request_shots.all()))
    if not form.is_valid():
        return request_page(request, req, status=400, decide_form=form)
    if form.cleaned_data["action"] != "accept":
        try:
            usage_request_decide_shots(request=req, user=request.user, decisions=form.decisions())
        except DomainError as exc:
            messages.error(request, exc.message)
            return back_to_request(req)
        messages.success(request, _("Your decisions are saved."))
        return back_to_request(req, "shots")
    try:
        # One service, one transaction: a refused acceptance keeps no decision.
        usage_request_decide_and_accept(
            usage_request=req,
            user=request.user,
            decisions=form.decisions(),
            terms_version=form.cleaned_data["terms_version"],
            visible_label=form.cleaned_data["visible_label"],
            outputs_need_approval=form.cleaned_data["outputs_need_approval"],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return back_to_request(req, "shots")
    messages.success(request, _("Accepted. The contract is ready for both signatures."))
    return back_to_request(req)


def _terms_version_move(
    request: AuthenticatedRequest, req: UsageRequest, move: Callable[[int], object], success: str
) -> HttpResponse:
    """A move on the terms version the page showed (accept, accept the
    counter-offer): ``move`` gets the version."""
    form = TermsVersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The form was incomplete. Nothing was changed."))
        return request_page(request, req, status=400)
    version = form.cleaned_data["terms_version"]
    return _attempt(request, req, lambda: move(version), success)


@require_POST
@login_required
def request_accept(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    req = request_for_user(request, pk)
    _require_party(req, request, Party.ACTOR)
    form = AcceptForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The form was incomplete. Nothing was changed."))
        return request_page(request, req, status=400)
    return _attempt(
        request,
        req,
        lambda: usage_request_accept(
            request=req,
            user=request.user,
            terms_version=form.cleaned_data["terms_version"],
            visible_label=form.cleaned_data["visible_label"],
            outputs_need_approval=form.cleaned_data["outputs_need_approval"],
        ),
        _("Accepted. The contract is ready for both signatures."),
    )


@require_POST
@login_required
def request_accept_counter(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    req = request_for_user(request, pk)
    _require_party(req, request, Party.CREATOR)
    return _terms_version_move(
        request,
        req,
        lambda version: usage_request_accept_counter(request=req, user=request.user, terms_version=version),
        _("You accepted the counter-offer. The actor now confirms the shots and accepts."),
    )


def _close(
    request: AuthenticatedRequest, req: UsageRequest, close: Callable[..., UsageRequest], success: str
) -> HttpResponse:
    """Decline or withdraw ``req`` with the optional reason of the form."""
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return request_page(request, req, status=400, reason_form=form)
    reason = form.cleaned_data["reason"]
    return _attempt(request, req, lambda: close(request=req, user=request.user, reason=reason), success)


@require_POST
@login_required
def request_decline(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    req = request_for_user(request, pk)
    return _close(request, req, usage_request_decline, _("The request is declined. The other side has been told."))


@require_POST
@login_required
def request_withdraw(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    req = request_for_user(request, pk)
    _require_party(req, request, Party.CREATOR)
    return _close(request, req, usage_request_withdraw, _("The request is withdrawn. The actor has been told."))


@require_POST
@login_required
def request_counter(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    req = request_for_user(request, pk)
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
            return back_to_request(req)
        else:
            messages.success(request, _("Your counter-offer is sent. The creator decides next."))
            return back_to_request(req)
    return request_page(request, req, status=400, counter_form=form)
