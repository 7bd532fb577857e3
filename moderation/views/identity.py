"""The actor's side of the identity check (``/actors/me/verify/``): the
one-time code, the ID photo and the selfie, and past attempts. The
moderators' side is ``views/verification.py``."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from actors.models import ActorProfile
from actors.views.access import actor_required
from marketplace.exceptions import InvalidTransition
from marketplace.files import StorageUnavailable
from marketplace.http import AuthenticatedRequest
from moderation.forms.verification import VerificationUploadForm
from moderation.models import VERIFICATION_IMAGE_RETENTION_DAYS
from moderation.services.verification import verification_start, verification_submit


@require_http_methods(["GET", "POST"])
@actor_required
def identity_check(request: AuthenticatedRequest, actor: ActorProfile) -> HttpResponse:
    """The actor's identity check: the one-time code, the two photos, and
    the history of past attempts. Opening the page starts (or reuses) the
    attempt, so the code shown is the one the moderator expects."""
    attempt = None
    if not actor.is_verified:
        try:
            attempt = verification_start(actor=actor)
        except InvalidTransition:
            actor.refresh_from_db()
    form = VerificationUploadForm()
    status = 200
    if request.method == "POST":
        form = VerificationUploadForm(request.POST, request.FILES)
        if attempt is None:
            form.add_error(None, _("Your identity is already verified."))
            status = 409
        elif form.is_valid():
            try:
                verification_submit(
                    verification=attempt,
                    id_document=form.cleaned_data["id_document"],
                    selfie=form.cleaned_data["selfie"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
                status = 400
            except InvalidTransition as exc:
                form.add_error(None, exc.message)
                attempt.refresh_from_db()
                status = 409
            except StorageUnavailable as exc:
                form.add_error(None, exc.message)
                status = exc.http_status
            else:
                messages.success(request, _("Your photos are sent. A moderator will review them soon."))
                return redirect("moderation:identity_check")
        else:
            status = 400
    past = actor.verifications.all()
    if attempt is not None:
        past = past.exclude(pk=attempt.pk)
    context = {
        "actor": actor,
        "attempt": attempt,
        "form": form,
        "past_attempts": list(past[:20]),
        "retention_days": VERIFICATION_IMAGE_RETENTION_DAYS,
    }
    return render(request, "moderation/identity_check.html", context, status=status)
