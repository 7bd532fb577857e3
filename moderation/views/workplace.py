"""The moderators' workplace: queues with counts and ages, claiming items,
the flagged-photo queue, user sanctions and the audit log."""

from functools import partial
from typing import Any, Protocol

from django.contrib import messages
from django.db.models import Model, Q
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from actors.models import ActorProfile, LikenessPhoto
from creators.models import CreatorProfile
from marketplace.exceptions import DomainError
from marketplace.http import AuthenticatedRequest, ClientInfo, safe_next_url
from marketplace.keyset import keyset_page
from marketplace.models import User
from moderation.access import moderator_view
from moderation.forms.reports import AuditFilterForm, SanctionForm, StudioVerificationForm
from moderation.models import (
    DISPUTE_OPEN_STATUSES,
    Dispute,
    IdentityVerification,
    Report,
    ReportStatus,
    Sanction,
    VerificationState,
)
from moderation.selectors import audit_events, queue_summary
from moderation.services import (
    creator_unverify,
    creator_verify,
    item_claim,
    item_release,
    profile_hide,
    profile_show,
    user_reinstate,
    user_suspend,
    user_warn,
)

# What "Assign to me" can take, by the kind named in its URL: the item's
# model and the filter that keeps it in its queue (decided items cannot be
# taken; releasing works whatever the state).
CLAIMABLE: dict[str, tuple[type[Model], Q]] = {
    "verification": (IdentityVerification, Q(status=VerificationState.SUBMITTED)),
    "dispute": (Dispute, Q(status__in=DISPUTE_OPEN_STATUSES)),
    "report": (Report, Q(status=ReportStatus.OPEN)),
    "photo": (LikenessPhoto, Q(review=LikenessPhoto.Review.FLAGGED)),
}


class ClaimMove(Protocol):
    """``item_claim`` or ``item_release``."""

    def __call__(self, *, item: Model, moderator: User, client: ClientInfo | None = None) -> object: ...


@moderator_view("GET", "HEAD")
def home(request: AuthenticatedRequest) -> HttpResponse:
    return render(request, "moderation/home.html", {"queues": queue_summary(user=request.user)})


def _claimable(kind: str, pk: int, *, waiting: bool) -> Model:
    """The item, or 404; with ``waiting``, only while it is still in its queue."""
    if kind not in CLAIMABLE:
        raise Http404
    model, in_queue = CLAIMABLE[kind]
    items = model._default_manager.filter(in_queue) if waiting else model._default_manager.all()
    item = items.filter(pk=pk).first()
    if item is None:
        raise Http404
    return item


def _claim_move(request: AuthenticatedRequest, kind: str, pk: int, *, waiting: bool, move: ClaimMove) -> HttpResponse:
    """Take or give back a queue item; a refusal is shown as a message. Back
    to the page the form names, else the workplace."""
    item = _claimable(kind, pk, waiting=waiting)
    try:
        move(item=item, moderator=request.user, client=ClientInfo.from_request(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    return HttpResponseRedirect(safe_next_url(request, request.POST.get("next", ""), reverse("moderation:home")))


@moderator_view("POST")
def claim(request: AuthenticatedRequest, kind: str, pk: int) -> HttpResponse:
    return _claim_move(request, kind, pk, waiting=True, move=item_claim)


@moderator_view("POST")
def release(request: AuthenticatedRequest, kind: str, pk: int) -> HttpResponse:
    return _claim_move(request, kind, pk, waiting=False, move=item_release)


# --- Users and sanctions -------------------------------------------------------------


def _user_context(
    subject: User, form: SanctionForm | None = None, studio_form: StudioVerificationForm | None = None
) -> dict[str, Any]:
    return {
        "subject": subject,
        "actor": ActorProfile.objects.filter(user=subject).first(),
        "creator": CreatorProfile.objects.filter(user=subject).first(),
        "sanctions": Sanction.objects.filter(user=subject).select_related("given_by", "lifted_by")[:50],
        "reports": Report.objects.filter(reported_user=subject).order_by("-created_at")[:20],
        "disputes": Dispute.objects.filter(
            Q(usage_request__actor__user=subject) | Q(usage_request__creator__user=subject)
        ).order_by("-created_at")[:20],
        "form": form or SanctionForm(),
        "studio_form": studio_form or StudioVerificationForm(prefix="studio"),
    }


@moderator_view("GET", "HEAD")
def user_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    subject = get_object_or_404(User, pk=pk)
    return render(request, "moderation/user_detail.html", _user_context(subject))


class SanctionMove(Protocol):
    """A sanction service, with the profile kind already given where it takes one."""

    def __call__(self, *, user: User, by: User, reason: str, client: ClientInfo | None = None) -> object: ...


# The services behind each choice of ``SanctionForm``.
SANCTION_MOVES: dict[str, SanctionMove] = {
    "warn": user_warn,
    "suspend": user_suspend,
    "reinstate": user_reinstate,
    "hide_actor": partial(profile_hide, profile_kind="actor"),
    "show_actor": partial(profile_show, profile_kind="actor"),
    "hide_creator": partial(profile_hide, profile_kind="creator"),
    "show_creator": partial(profile_show, profile_kind="creator"),
}


@moderator_view("POST", sensitive=True)
def user_sanction(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Warn, suspend, reinstate, hide or show a profile: each through its
    service, each audited and told to the user."""
    subject = get_object_or_404(User, pk=pk)
    form = SanctionForm(request.POST)
    if not form.is_valid():
        return render(request, "moderation/user_detail.html", _user_context(subject, form), status=400)
    move = SANCTION_MOVES[form.cleaned_data["sanction"]]
    try:
        move(user=subject, by=request.user, reason=form.cleaned_data["reason"], client=ClientInfo.from_request(request))
    except DomainError as exc:
        messages.error(request, exc.message)
        subject.refresh_from_db()
        return render(request, "moderation/user_detail.html", _user_context(subject, form), status=409)
    messages.success(request, _("Done. The user has been told."))
    return HttpResponseRedirect(reverse("moderation:user", args=[subject.pk]))


@moderator_view("POST")
def studio_verification(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Verify a creator's studio or withdraw the badge: through its service,
    audited and told to the creator."""
    subject = get_object_or_404(User, pk=pk)
    creator = get_object_or_404(CreatorProfile, user=subject)
    form = StudioVerificationForm(request.POST, prefix="studio")
    if not form.is_valid():
        return render(request, "moderation/user_detail.html", _user_context(subject, studio_form=form), status=400)
    move = creator_verify if form.cleaned_data["decision"] == StudioVerificationForm.VERIFY else creator_unverify
    try:
        move(
            creator=creator,
            by=request.user,
            reason=form.cleaned_data["reason"],
            client=ClientInfo.from_request(request),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return render(request, "moderation/user_detail.html", _user_context(subject, studio_form=form), status=409)
    messages.success(request, _("Done. The user has been told."))
    return HttpResponseRedirect(reverse("moderation:user", args=[subject.pk]))


# --- The audit log ----------------------------------------------------------------

AUDIT_PAGE_SIZE = 50
AUDIT_CURSOR_SALT = "moderation.audit.cursor"


@moderator_view("GET", "HEAD")
def audit_log(request: AuthenticatedRequest) -> HttpResponse:
    """Filter the audit log by user, action and dates. Bad filters are shown
    as form errors and ignored, never a 500."""
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    events = audit_events(
        user=filters.get("user", ""),
        action=filters.get("action", ""),
        since=filters.get("since"),
        until=filters.get("until"),
    )
    # Keyset pages (no COUNT, no OFFSET over the whole log): "newer" and
    # "older" carry a signed cursor; an unreadable one gives the first page.
    page = keyset_page(events, cursor=request.GET.get("cursor", ""), salt=AUDIT_CURSOR_SALT, size=AUDIT_PAGE_SIZE)
    kept = ("user", "action", "since", "until")
    query = urlencode({key: value for key, value in request.GET.dict().items() if key in kept and value})
    status = 400 if form.is_bound and form.errors else 200
    context = {"form": form, "page": page, "query": query, "status": status}
    return render(request, "moderation/audit.html", context, status=status)
