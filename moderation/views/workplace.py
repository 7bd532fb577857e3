"""The moderators' workplace: queues with counts and ages, claiming items,
the flagged-photo queue, user sanctions and the audit log."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.views.decorators.http import require_POST, require_safe

from actors.models import LikenessPhoto
from marketplace.exceptions import DomainError
from marketplace.http import ClientInfo, safe_next_url
from moderation.access import moderator_required
from moderation.models import Dispute, IdentityVerification, Report
from moderation.selectors import queue_summary
from moderation.services import item_claim, item_release

# What "Assign to me" can take, by the kind named in its URL.
CLAIMABLE = {
    "verification": IdentityVerification,
    "dispute": Dispute,
    "report": Report,
    "photo": LikenessPhoto,
}


@require_safe
@moderator_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "moderation/home.html", {"queues": queue_summary(user=request.user)})


def _claimable(kind: str, pk: int):
    model = CLAIMABLE.get(kind)
    if model is None:
        raise Http404
    item = model.objects.filter(pk=pk).first()
    if item is None:
        raise Http404
    return item


@require_POST
@moderator_required
def claim(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    item = _claimable(kind, pk)
    try:
        item_claim(item=item, moderator=request.user, client=ClientInfo.from_request(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    return HttpResponseRedirect(safe_next_url(request, request.POST.get("next", ""), reverse("moderation:home")))


@require_POST
@moderator_required
def release(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    item = _claimable(kind, pk)
    try:
        item_release(item=item, moderator=request.user, client=ClientInfo.from_request(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    return HttpResponseRedirect(safe_next_url(request, request.POST.get("next", ""), reverse("moderation:home")))


urlpatterns = [
    path("moderation/", home, name="home"),
    path("moderation/claim/<slug:kind>/<int:pk>/", claim, name="claim"),
    path("moderation/release/<slug:kind>/<int:pk>/", release, name="release"),
]
