"""Identity checks in the moderators' workplace: the queue, one attempt
with its private images, the images themselves (audited per view), and the
decision. Everyone who is not a moderator gets a 404."""

from pathlib import PurePosixPath

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from actors.selectors import photos_for_actor
from marketplace.exceptions import DomainError, InvalidTransition
from marketplace.http import AuthenticatedRequest, ClientInfo, private_file_response
from moderation.access import moderator_view
from moderation.forms.verification import VerificationDecisionForm
from moderation.models import VERIFICATION_IMAGE_RETENTION_DAYS, IdentityVerification
from moderation.selectors import verification_queue, with_claims
from moderation.services import claim_of
from moderation.services.verification import (
    IMAGE_FIELDS,
    verification_approve,
    verification_image_viewed,
    verification_reject,
)

QUEUE_PAGE_SIZE = 50

# Stored names end in the sanitised format's suffix (``sanitize_image``).
IMAGE_CONTENT_TYPES = {".jpg": "image/jpeg", ".png": "image/png", ".webp": "image/webp"}


def _verification_or_404(pk: int) -> IdentityVerification:
    verification = IdentityVerification.objects.select_related("actor__user", "decided_by").filter(pk=pk).first()
    if verification is None:
        raise Http404
    return verification


@moderator_view("GET", "HEAD")
def verification_list(request: AuthenticatedRequest) -> HttpResponse:
    page = Paginator(verification_queue(), QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "items": with_claims(page.object_list, IdentityVerification)}
    return render(request, "moderation/verifications.html", context)


def _item_page(
    request: AuthenticatedRequest,
    verification: IdentityVerification,
    form: VerificationDecisionForm,
    *,
    status: int = 200,
) -> HttpResponse:
    actor = verification.actor
    context = {
        "v": verification,
        "actor": actor,
        "claim": claim_of(verification),
        "photos": list(photos_for_actor(actor).order_by("position", "id")),
        "earlier": list(actor.verifications.exclude(pk=verification.pk).select_related("decided_by")[:20]),
        "form": form,
        "retention_days": VERIFICATION_IMAGE_RETENTION_DAYS,
    }
    return render(request, "moderation/verification.html", context, status=status)


@moderator_view("GET", "HEAD")
def verification_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _item_page(request, _verification_or_404(pk), VerificationDecisionForm())


@moderator_view("GET", "HEAD")
def verification_image(request: AuthenticatedRequest, pk: int, which: str) -> HttpResponseBase:
    """Stream the ID document or the selfie to a moderator, recording the view."""
    if which not in IMAGE_FIELDS:
        raise Http404
    verification = _verification_or_404(pk)
    file = getattr(verification, which)
    if verification.images_deleted_at is not None or not file:
        raise Http404
    suffix = PurePosixPath(file.name).suffix.lower()
    content_type = IMAGE_CONTENT_TYPES.get(suffix)
    if content_type is None:
        raise Http404
    response = private_file_response(
        file, content_type=content_type, filename=f"consentcast-verification-{verification.pk}-{which}{suffix}"
    )
    verification_image_viewed(
        verification=verification, which=which, by=request.user, client=ClientInfo.from_request(request)
    )
    return response


@moderator_view("POST")
def verification_decide(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    verification = _verification_or_404(pk)
    form = VerificationDecisionForm(request.POST)
    if not form.is_valid():
        return _item_page(request, verification, form, status=400)
    client = ClientInfo.from_request(request)
    try:
        if form.cleaned_data["decision"] == VerificationDecisionForm.APPROVE:
            verification_approve(verification=verification, by=request.user, client=client)
            messages.success(request, _("Identity check approved; the actor is verified."))
        else:
            verification_reject(
                verification=verification, by=request.user, reason=form.cleaned_data["reason"], client=client
            )
            messages.success(request, _("Identity check rejected; the actor is told the reason."))
    except InvalidTransition as exc:
        form.add_error(None, exc.message)
        return _item_page(request, _verification_or_404(pk), form, status=409)
    except DomainError as exc:
        form.add_error(None, exc.message)
        return _item_page(request, verification, form, status=400)
    return redirect("moderation:verifications")
