"""Reports: any signed-in user reports a profile; moderators act on the
report (hide the profile, suspend the account, dismiss). Also the queue of
photos flagged as resembling another actor's."""

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from actors.models import ActorProfile, LikenessPhoto
from actors.selectors import listed_actors
from creators.models import CreatorProfile
from creators.selectors import creator_profiles_visible
from marketplace.exceptions import DomainError
from marketplace.http import AuthenticatedRequest, ClientInfo, get_in_scope_or_404
from marketplace.models import User
from marketplace.ratelimit import hit
from moderation.access import moderator_view
from moderation.forms.reports import PhotoDecisionForm, ReportDecisionForm, ReportForm
from moderation.models import Claim, ProfileKind, Report, Sanction
from moderation.selectors import flagged_photo_queue, report_queue, with_claims
from moderation.services import claim_of, photo_flag_decide, report_decide, report_file

QUEUE_PAGE_SIZE = 50


# --- Filing a report -------------------------------------------------------------


def _report_page(
    request: AuthenticatedRequest, *, reported_user: User, profile_kind: str, name: str, back: str
) -> HttpResponse:
    form = ReportForm(request.POST or None)
    status = 200
    if request.method == "POST":
        allowed, retry_after = hit(f"report:{request.user.pk}", limit=settings.REPORTS_PER_HOUR, window_seconds=3600)
        if not allowed:
            response = render(request, "429.html", {"retry_after": retry_after}, status=429)
            response["Retry-After"] = str(retry_after)
            return response
        if form.is_valid():
            try:
                report_file(
                    reporter=request.user,
                    reported_user=reported_user,
                    profile_kind=profile_kind,
                    reason=form.cleaned_data["reason"],
                    description=form.cleaned_data["description"],
                    client=ClientInfo.from_request(request),
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Thank you. A moderator will review your report."))
                return HttpResponseRedirect(back)
        status = 400
    context = {"form": form, "name": name, "back": back, "profile_kind": profile_kind}
    return render(request, "moderation/report_form.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def report_actor(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """Any signed-in user may report a profile they can see: a listed actor."""
    actor = get_in_scope_or_404(request, listed_actors().select_related("user"), slug=slug)
    back = reverse("roster_actor", args=[actor.slug])
    return _report_page(
        request, reported_user=actor.user, profile_kind=ProfileKind.ACTOR, name=actor.stage_name, back=back
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def report_creator(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    profile = get_in_scope_or_404(request, creator_profiles_visible().select_related("user"), pk=pk)
    back = reverse("creators:detail", args=[profile.pk])
    return _report_page(
        request, reported_user=profile.user, profile_kind=ProfileKind.CREATOR, name=profile.display_name, back=back
    )


# --- The moderators' side ----------------------------------------------------------


@moderator_view("GET", "HEAD")
def reports(request: AuthenticatedRequest) -> HttpResponse:
    page = Paginator(report_queue(), QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "items": with_claims(page.object_list, Report)}
    return render(request, "moderation/reports.html", context)


def _report_context(report: Report, form: ReportDecisionForm | None = None) -> dict[str, Any]:
    user = report.reported_user
    actor = ActorProfile.objects.filter(user=user).first()
    creator = CreatorProfile.objects.filter(user=user).first()
    earlier = (
        Report.objects.filter(reported_user=user)
        .exclude(pk=report.pk)
        .select_related("reporter")
        .order_by("-created_at")[:20]
    )
    return {
        "report": report,
        "actor": actor,
        "creator": creator,
        "photos": list(LikenessPhoto.objects.filter(actor=actor)[:12]) if actor else [],
        "earlier": earlier,
        "sanctions": Sanction.objects.filter(user=user).select_related("given_by")[:20],
        "claim": claim_of(report),
        "form": form or ReportDecisionForm(),
    }


def _report_for(pk: int) -> Report:
    return get_object_or_404(Report.objects.select_related("reporter", "reported_user", "decided_by"), pk=pk)


@moderator_view("GET", "HEAD")
def report_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    report = _report_for(pk)
    return render(request, "moderation/report_detail.html", _report_context(report))


@moderator_view("POST", sensitive=True)
def report_decision(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    report = _report_for(pk)
    form = ReportDecisionForm(request.POST)
    if not form.is_valid():
        return render(request, "moderation/report_detail.html", _report_context(report, form), status=400)
    try:
        report_decide(
            report=report,
            by=request.user,
            action=form.cleaned_data["action"],
            resolution=form.cleaned_data["resolution"],
            client=ClientInfo.from_request(request),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        report.refresh_from_db()
        return render(request, "moderation/report_detail.html", _report_context(report, form), status=409)
    messages.success(request, _("Report #%(id)s decided.") % {"id": report.pk})
    return HttpResponseRedirect(reverse("moderation:reports"))


# --- Flagged photos ----------------------------------------------------------------


@dataclass(frozen=True)
class FlaggedPhoto:
    """A row of the flagged-photo queue: the photo, the claim on it and its
    own decision form."""

    photo: LikenessPhoto
    claim: Claim | None
    form: PhotoDecisionForm


@moderator_view("GET", "HEAD")
def photos(request: AuthenticatedRequest) -> HttpResponse:
    page = Paginator(flagged_photo_queue(), QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    items = [
        # One form per photo, with its own ids, so each label clicks its own radio.
        FlaggedPhoto(photo=row.item, claim=row.claim, form=PhotoDecisionForm(auto_id=f"id_photo{row.item.pk}_%s"))
        for row in with_claims(page.object_list, LikenessPhoto)
    ]
    context = {"page": page, "items": items}
    return render(request, "moderation/photos.html", context)


@moderator_view("POST", sensitive=True)
def photo_decision(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    photo = get_object_or_404(LikenessPhoto.objects.select_related("actor__user"), pk=pk)
    form = PhotoDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(" ".join(map(str, errors)) for errors in form.errors.values()))
        return HttpResponseRedirect(reverse("moderation:photos"))
    try:
        photo_flag_decide(
            photo=photo,
            by=request.user,
            clear=form.cleaned_data["decision"] == "clear",
            reason=form.cleaned_data.get("reason", ""),
            client=ClientInfo.from_request(request),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return HttpResponseRedirect(reverse("moderation:photos"))
    messages.success(request, _("Photo #%(id)s decided.") % {"id": photo.pk})
    return HttpResponseRedirect(reverse("moderation:photos"))
