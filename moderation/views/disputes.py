"""Dispute pages: a party opens a dispute on their request, both parties
and the moderators read the dispute page and write on its thread; under
/moderation/ the moderators' queue, "take into review" and the decision.

Disputes are fetched through ``moderation.selectors``: anyone who is
neither a party nor a moderator gets a 404. Each action calls one service; a
refused move (a lost race, an ended dispute) re-renders the page with the
reason and status 409, and changes nothing.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from actors.models import LikenessPhoto
from marketplace.exceptions import DomainError
from marketplace.files import StorageUnavailable
from marketplace.http import AuthenticatedRequest, ClientInfo, get_in_scope_or_404, private_file_response
from marketplace.selectors import user_has_totp
from moderation import selectors
from moderation.access import is_moderator, mfa_setup_url, moderator_view
from moderation.forms.disputes import DisputeDecisionForm, DisputeMessageForm, DisputeOpenForm, EvidenceAddForm
from moderation.models import MAX_EVIDENCE_IMAGES, Dispute, DisputeStatus
from moderation.selectors import dispute_queue, with_claims
from moderation.services.claims import claim_of
from moderation.services.disputes import (
    DuplicateOpenDispute,
    dispute_add_evidence,
    dispute_message_post,
    dispute_open,
    dispute_party_of,
    dispute_take_into_review,
)
from moderation.services.evidence import evidence_viewed
from moderation.services.outcomes import dispute_dismiss, dispute_resolve
from usage_requests.models import party_label
from usage_requests.selectors import contract_id_for_request, usage_requests_for_user

QUEUE_PAGE_SIZE = 50


def _dispute_for(request: AuthenticatedRequest, pk: int) -> Dispute:
    return get_in_scope_or_404(
        request, selectors.dispute_detail(request.user, is_moderator=is_moderator(request)), pk=pk
    )


def _moderating(request: AuthenticatedRequest, dispute: Dispute) -> bool:
    """The viewer reads the dispute as a moderator (not as one of its parties)."""
    return dispute_party_of(dispute, request.user) is None and is_moderator(request)


def dispute_reader(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """A page of one dispute (``pk``) for its parties and the moderators,
    behind ``login_required``. The dispute is fetched in the reader's scope
    (404 outside it); a moderator reading it (not as a party) without an
    authenticator app is sent to set one up first, as ``StaffMFAMiddleware``
    does under /moderation/. The view receives ``dispute`` and ``moderating``."""

    @wraps(view)
    def wrapper(request: AuthenticatedRequest, *args: Any, pk: int, **kwargs: Any) -> HttpResponseBase:
        dispute = _dispute_for(request, pk)
        moderating = _moderating(request, dispute)
        if moderating and not user_has_totp(request.user):
            return HttpResponseRedirect(mfa_setup_url(request.get_full_path()))
        return view(request, *args, dispute=dispute, moderating=moderating, **kwargs)

    return wrapper


# --- Opening ------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def dispute_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    usage_request = get_in_scope_or_404(request, usage_requests_for_user(request.user), pk=pk)
    existing = selectors.open_dispute_id_for_request(usage_request)
    if existing:
        messages.info(request, _("A dispute on this request is already open; here it is."))
        return redirect("moderation:dispute", pk=existing)
    form = DisputeOpenForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                dispute = dispute_open(
                    usage_request=usage_request,
                    by=request.user,
                    category=data["category"],
                    description=data["description"],
                    evidence=data["evidence"],
                    client=ClientInfo.from_request(request),
                )
            except DuplicateOpenDispute as exc:
                messages.info(request, exc.message)
                if exc.dispute_id:
                    return redirect("moderation:dispute", pk=exc.dispute_id)
                form.add_error(None, exc.message)
            except ValidationError as exc:
                form.add_error("evidence", exc.messages)
            except StorageUnavailable as exc:
                form.add_error("evidence", exc.message)
                status = exc.http_status
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    _("Your dispute is open. The other party has been told, and a moderator will review it."),
                )
                return redirect("moderation:dispute", pk=dispute.pk)
    context = {
        "form": form,
        "req": usage_request,
        "contract_id": contract_id_for_request(usage_request),
        "max_images": MAX_EVIDENCE_IMAGES,
    }
    return render(request, "moderation/dispute_new.html", context, status=status)


# --- The dispute page -----------------------------------------------------------


def _dispute_context(request: AuthenticatedRequest, dispute: Dispute, **forms: Form) -> dict[str, Any]:
    moderating = _moderating(request, dispute)
    party = dispute_party_of(dispute, request.user)
    context: dict[str, Any] = {
        "dispute": dispute,
        "req": dispute.usage_request,
        "contract": dispute.contract,
        "party": party,
        "party_label": party_label(party) if party else "",
        "opened_by_label": party_label(dispute.opened_by_party),
        "moderating": moderating,
        "evidence": list(dispute.evidence.all()),
        "shots": selectors.dispute_shots(dispute),
        "events": list(dispute.events.all()),
        "thread": list(selectors.dispute_thread(dispute, include_internal=False)),
        "message_form": forms.get("message_form") or DisputeMessageForm(),
        "can_add_evidence": party is not None and dispute.is_open,
        "evidence_form": forms.get("evidence_form") or EvidenceAddForm(),
        "max_images": MAX_EVIDENCE_IMAGES,
    }
    if moderating:
        request_id = dispute.usage_request_id
        context.update(selectors.request_record_for_moderator(dispute))
        context.update(
            {
                "notes": list(selectors.dispute_internal_notes(dispute)),
                "note_form": forms.get("note_form") or DisputeMessageForm(initial={"internal": True}),
                "decision_form": forms.get("decision_form") or DisputeDecisionForm(),
                "claim": claim_of(dispute),
                "can_review": dispute.status == DisputeStatus.OPEN,
                "actor_photos": list(
                    LikenessPhoto.objects.filter(actor_id=dispute.usage_request.actor_id).order_by("position", "id")
                ),
                "request_id": request_id,
            }
        )
    return context


def _dispute_page(request: AuthenticatedRequest, dispute: Dispute, *, status: int = 200, **forms: Form) -> HttpResponse:
    return render(request, "moderation/dispute_detail.html", _dispute_context(request, dispute, **forms), status=status)


@require_safe
@login_required
@dispute_reader
def dispute_detail(request: AuthenticatedRequest, dispute: Dispute, moderating: bool) -> HttpResponse:
    return _dispute_page(request, dispute)


@require_POST
@login_required
@dispute_reader
def dispute_message(request: AuthenticatedRequest, dispute: Dispute, moderating: bool) -> HttpResponse:
    form = DisputeMessageForm(request.POST)
    internal_requested = request.POST.get("internal") in ("True", "true", "1", "on")
    form_key = "note_form" if internal_requested and moderating else "message_form"
    if not form.is_valid():
        return _dispute_page(request, dispute, status=400, **{form_key: form})
    internal = moderating and form.cleaned_data["internal"]
    try:
        dispute_message_post(
            dispute=dispute,
            by=request.user,
            body=form.cleaned_data["body"],
            internal=internal,
            client=ClientInfo.from_request(request),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return _dispute_page(request, dispute, status=409, **{form_key: form})
    messages.success(request, _("Internal note saved.") if internal else _("Message sent."))
    anchor = "notes" if internal else "thread"
    return redirect(f"{reverse('moderation:dispute', kwargs={'pk': dispute.pk})}#{anchor}")


@require_POST
@login_required
def dispute_evidence_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    dispute = _dispute_for(request, pk)
    if dispute_party_of(dispute, request.user) is None:
        raise PermissionDenied
    form = EvidenceAddForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            dispute_add_evidence(dispute=dispute, by=request.user, files=form.cleaned_data["evidence"])
        except ValidationError as exc:
            form.add_error("evidence", exc.messages)
        except StorageUnavailable as exc:
            form.add_error("evidence", exc.message)
            return _dispute_page(request, dispute, status=exc.http_status, evidence_form=form)
        except DomainError as exc:
            messages.error(request, exc.message)
            return _dispute_page(request, dispute, status=409, evidence_form=form)
        else:
            messages.success(request, _("Evidence added."))
            return redirect("moderation:dispute", pk=dispute.pk)
    return _dispute_page(request, dispute, status=400, evidence_form=form)


@require_safe
@login_required
@dispute_reader
def dispute_evidence(
    request: AuthenticatedRequest, dispute: Dispute, moderating: bool, evidence_pk: int
) -> HttpResponseBase:
    evidence = next((row for row in dispute.evidence.all() if row.pk == evidence_pk), None)
    if evidence is None or not evidence.image:
        raise Http404
    extension = (evidence.image.name or "").rsplit(".", 1)[-1].lower()
    if extension not in ("jpg", "png", "webp"):
        extension = "bin"
    response = private_file_response(
        evidence.image,
        content_type=evidence.content_type or "application/octet-stream",
        filename=f"consentcast-dispute-{dispute.pk}-evidence-{evidence.pk}.{extension}",
    )
    if moderating:
        evidence.dispute = dispute
        evidence_viewed(evidence=evidence, by=request.user, client=ClientInfo.from_request(request))
    return response


# --- The moderators' side -----------------------------------------------------------


@moderator_view("GET", "HEAD")
def dispute_list(request: AuthenticatedRequest) -> HttpResponse:
    page = Paginator(dispute_queue(), QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "items": with_claims(page.object_list, Dispute)}
    return render(request, "moderation/dispute_list.html", context)


def _moderator_dispute(request: AuthenticatedRequest, pk: int) -> Dispute:
    dispute = get_in_scope_or_404(request, selectors.dispute_detail(request.user, is_moderator=True), pk=pk)
    if dispute_party_of(dispute, request.user) is not None:
        # A moderator never handles a dispute they are part of.
        raise PermissionDenied
    return dispute


@moderator_view("POST")
def dispute_review(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    dispute = _moderator_dispute(request, pk)
    try:
        dispute_take_into_review(dispute=dispute, by=request.user, client=ClientInfo.from_request(request))
    except DomainError as exc:
        messages.error(request, exc.message)
        return _dispute_page(request, _moderator_dispute(request, pk), status=409)
    messages.success(request, _("The dispute is in review and assigned to you."))
    return redirect("moderation:dispute", pk=dispute.pk)


@moderator_view("POST", sensitive=True)
def dispute_decide(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    dispute = _moderator_dispute(request, pk)
    form = DisputeDecisionForm(request.POST)
    if not form.is_valid():
        return _dispute_page(request, dispute, status=400, decision_form=form)
    data = form.cleaned_data
    client = ClientInfo.from_request(request)
    try:
        if data["action"] == "dismiss":
            dispute_dismiss(dispute=dispute, by=request.user, resolution=data["resolution"], client=client)
        else:
            dispute_resolve(
                dispute=dispute,
                by=request.user,
                outcome=data["outcome"],
                resolution=data["resolution"],
                client=client,
            )
    except DomainError as exc:
        messages.error(request, exc.message)
        # Re-read: the page shows the dispute as the winner left it.
        return _dispute_page(request, _moderator_dispute(request, pk), status=409, decision_form=form)
    if data["action"] == "dismiss":
        messages.success(request, _("The dispute is dismissed. Both parties have been told."))
    else:
        messages.success(request, _("The dispute is resolved. Both parties have been told."))
    return redirect("moderation:dispute", pk=dispute.pk)
