"""The moderators' workplace: queues with counts and ages, claiming items,
the flagged-photo queue, user sanctions and the audit log."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from actors.models import ActorProfile, LikenessPhoto
from creators.models import CreatorProfile
from marketplace.exceptions import DomainError
from marketplace.http import ClientInfo, safe_next_url
from marketplace.models import User
from moderation.access import moderator_required, sensitive
from moderation.forms.reports import AuditFilterForm, SanctionForm
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
CLAIMABLE = {
    "verification": (IdentityVerification, {"status": VerificationState.SUBMITTED}),
    "dispute": (Dispute, {"status__in": DISPUTE_OPEN_STATUSES}),
    "report": (Report, {"status": ReportStatus.OPEN}),
    "photo": (LikenessPhoto, {"review": LikenessPhoto.Review.FLAGGED}),
}


@require_safe
@moderator_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "moderation/home.html", {"queues": queue_summary(user=request.user)})


def _claimable(kind: str, pk: int, *, waiting: bool):
    """The item, or 404; with ``waiting``, only while it is still in its queue."""
    if kind not in CLAIMABLE:
        raise Http404
    model, in_queue = CLAIMABLE[kind]
    items = model.objects.filter(**in_queue) if waiting else model.objects.all()
    item = items.filter(pk=pk).first()
    if item is None:
        raise Http404
    return item


@require_POST
@moderator_required
def claim(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    item = _claimable(kind, pk, waiting=True)
    try:
        item_claim(item=item, moderator=request.user, client=ClientInfo.from_request(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    return HttpResponseRedirect(safe_next_url(request, request.POST.get("next", ""), reverse("moderation:home")))


@require_POST
@moderator_required
def release(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    item = _claimable(kind, pk, waiting=False)
    try:
        item_release(item=item, moderator=request.user, client=ClientInfo.from_request(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    return HttpResponseRedirect(safe_next_url(request, request.POST.get("next", ""), reverse("moderation:home")))


# --- Users and sanctions -------------------------------------------------------------


def _user_context(request: HttpRequest, subject: User, form: SanctionForm | None = None) -> dict:
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
    }


@require_safe
@moderator_required
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    subject = get_object_or_404(User, pk=pk)
    return render(request, "moderation/user_detail.html", _user_context(request, subject))


@require_POST
@sensitive
def user_sanction(request: HttpRequest, pk: int) -> HttpResponse:
    """Warn, suspend, reinstate, hide or show a profile: each through its
    service, each audited and told to the user."""
    subject = get_object_or_404(User, pk=pk)
    form = SanctionForm(request.POST)
    if not form.is_valid():
        return render(request, "moderation/user_detail.html", _user_context(request, subject, form), status=400)
    action, reason = form.cleaned_data["sanction"], form.cleaned_data["reason"]
    common = {"by": request.user, "reason": reason, "client": ClientInfo.from_request(request)}
    moves = {
        "warn": lambda: user_warn(user=subject, **common),
        "suspend": lambda: user_suspend(user=subject, **common),
        "reinstate": lambda: user_reinstate(user=subject, **common),
        "hide_actor": lambda: profile_hide(user=subject, profile_kind="actor", **common),
        "show_actor": lambda: profile_show(user=subject, profile_kind="actor", **common),
        "hide_creator": lambda: profile_hide(user=subject, profile_kind="creator", **common),
        "show_creator": lambda: profile_show(user=subject, profile_kind="creator", **common),
    }
    try:
        moves[action]()
    except DomainError as exc:
        messages.error(request, exc.message)
        subject.refresh_from_db()
        return render(request, "moderation/user_detail.html", _user_context(request, subject, form), status=409)
    messages.success(request, _("Done. The user has been told."))
    return HttpResponseRedirect(reverse("moderation:user", args=[subject.pk]))


# --- The audit log ----------------------------------------------------------------

AUDIT_PAGE_SIZE = 50


@require_safe
@moderator_required
def audit_log(request: HttpRequest) -> HttpResponse:
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
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode({key: value for key, value in request.GET.items() if key != "page" and value})
    context = {"form": form, "page": page, "query": query, "status": 400 if form.is_bound and form.errors else 200}
    return render(request, "moderation/audit.html", context, status=context["status"])
