"""The actor's photos page and the guarded photo files (thumbnail, preview, original)."""

import io

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from actors.forms import PhotoUploadForm
from actors.hooks import OriginalDownload, deliver_original
from actors.models import MAX_PHOTOS_PER_ACTOR, ActorProfile, AssetAccess, LikenessPhoto
from actors.selectors import (
    asset_access_rule,
    photos_for_actor,
)
from actors.services import (
    asset_access_record,
    photo_delete,
    photo_renditions_retry,
    photo_set_primary,
    photo_upload,
    photos_reorder,
)
from actors.views.access import actor_required
from marketplace.api.authentication import user_from_token_header
from marketplace.exceptions import InvalidTransition
from marketplace.files import StorageUnavailable
from marketplace.http import (
    AuthenticatedRequest,
    ClientInfo,
    get_in_scope_or_404,
    portal_state,
    private_file_response,
    sent_by_script,
    signed_in_user,
)


def _photos_page(
    request: AuthenticatedRequest, actor: ActorProfile, form: PhotoUploadForm, *, status: int = 200
) -> HttpResponse:
    photos = list(photos_for_actor(actor))
    context = {
        "actor": actor,
        "photos": photos,
        "form": form,
        "max_photos": MAX_PHOTOS_PER_ACTOR,
        "room": max(MAX_PHOTOS_PER_ACTOR - len(photos), 0),
    }
    template = "actors/_photo_grid.html" if request.htmx and request.method == "GET" else "actors/photos.html"
    return render(request, template, context, status=status)


@require_http_methods(["GET", "POST"])
@actor_required
def photos(request: AuthenticatedRequest, actor: ActorProfile) -> HttpResponse:
    if request.method == "GET":
        return _photos_page(request, actor, PhotoUploadForm())
    form = PhotoUploadForm(request.POST, request.FILES)
    status = 400
    if form.is_valid():
        try:
            stored = photo_upload(actor=actor, files=form.cleaned_data["photos"])
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("photos", message)
        except StorageUnavailable as exc:
            form.add_error("photos", exc.message)
            status = exc.http_status
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)d photo uploaded. Its thumbnail and preview appear in a moment.",
                    "%(count)d photos uploaded. Thumbnails and previews appear in a moment.",
                    len(stored),
                )
                % {"count": len(stored)},
            )
            if sent_by_script(request):
                return JsonResponse({"location": reverse("actors:photos")})
            return redirect("actors:photos")
    if sent_by_script(request):
        errors = [str(error) for errors in form.errors.values() for error in errors]
        return JsonResponse({"errors": errors}, status=status)
    return _photos_page(request, actor, form, status=status)


@require_safe
@actor_required
def photo_status(request: AuthenticatedRequest, pk: int, actor: ActorProfile) -> HttpResponse:
    """The card of one of the actor's photos, which the photos page polls
    (htmx) while its thumbnail and preview are being made; the card answered
    once they are ready or failed polls no more. One query for the actor's
    photos (at most ``MAX_PHOTOS_PER_ACTOR``: the card's place in the grid
    comes with it). Another actor's photo is a 404; a visit without htmx
    goes to the photos page."""
    if not request.htmx:
        return redirect("actors:photos")
    photos = list(photos_for_actor(actor))
    index = next((index for index, photo in enumerate(photos) if photo.pk == pk), None)
    if index is None:
        get_in_scope_or_404(request, photos_for_actor(actor), pk=pk)  # audits another actor's photo
        raise Http404  # gone since the page was drawn (deleted): nothing more to poll
    context = {"photo": photos[index], "number": index + 1, "first": index == 0, "last": index == len(photos) - 1}
    response = render(request, "actors/_photo_card.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@actor_required
def photo_primary(request: AuthenticatedRequest, pk: int, actor: ActorProfile) -> HttpResponse:
    photo = get_in_scope_or_404(request, photos_for_actor(actor), pk=pk)
    photo_set_primary(photo=photo)
    messages.success(request, _("Primary photo changed."))
    return redirect("actors:photos")


@require_POST
@actor_required
def photo_remove(request: AuthenticatedRequest, pk: int, actor: ActorProfile) -> HttpResponse:
    photo = get_in_scope_or_404(request, photos_for_actor(actor), pk=pk)
    photo_delete(photo=photo)
    messages.success(request, _("Photo deleted, with its thumbnail and preview."))
    return redirect("actors:photos")


@require_POST
@actor_required
def photo_retry(request: AuthenticatedRequest, pk: int, actor: ActorProfile) -> HttpResponse:
    """Try again to make the thumbnail and preview of a photo whose processing failed."""
    photo = get_in_scope_or_404(request, photos_for_actor(actor), pk=pk)
    try:
        photo_renditions_retry(photo=photo)
    except InvalidTransition as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Trying again. The thumbnail and preview appear in a moment."))
    return redirect("actors:photos")


@require_POST
@actor_required
def photo_move(request: AuthenticatedRequest, pk: int, actor: ActorProfile) -> HttpResponse:
    photo = get_in_scope_or_404(request, photos_for_actor(actor), pk=pk)
    order = list(photos_for_actor(actor).values_list("pk", flat=True))
    index = order.index(photo.pk)
    step = -1 if request.POST.get("direction") == "up" else 1
    target = index + step
    if 0 <= target < len(order):
        order[index], order[target] = order[target], order[index]
        try:
            photos_reorder(actor=actor, order=order)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
    return redirect("actors:photos")


# --- Guarded files ----------------------------------------------------------

ASSET_CACHE: dict[str, str] = {
    AssetAccess.Kind.THUMBNAIL: "private, max-age=300",
    AssetAccess.Kind.PREVIEW: "private, max-age=60",
    AssetAccess.Kind.ORIGINAL: "private, no-store",
}


def _role(portal: dict, user, photo: LikenessPhoto) -> str:
    if not user.is_authenticated:
        return "anonymous"
    if photo.actor.user_id == user.pk:
        return "owner"
    if portal["is_moderator"]:
        return "moderator"
    if portal["is_creator"]:
        return "creator"
    if portal["is_actor"]:
        return "actor"
    return "user"


@require_safe
def photo_file(request: HttpRequest, pk: int, kind: str) -> HttpResponseBase:
    """Serve a thumbnail, watermarked preview or original to those who may
    see it; everyone else gets the same 404 as for a photo that does not exist.
    The signed-in session or an API token (``Authorization: Token``) says who
    asks; an unknown or revoked token is simply no one.

    Every preview and original request by someone other than the actor is
    logged, granted or denied; thumbnails are logged only when denied. A
    licensee's original is never the stored file but a fresh copy marked for
    that delivery (``_licensed_original``).
    """
    if kind not in ASSET_CACHE:
        raise Http404
    channel = "page"
    if not request.user.is_authenticated:
        # A creator's tool downloads licensed originals with its API token.
        token_user = user_from_token_header(request)
        if token_user is not None:
            request.user, channel = token_user, "api"
    photo = LikenessPhoto.objects.select_related("actor").filter(pk=pk, actor__deleted_at__isnull=True).first()
    if photo is None:
        raise Http404
    portal = portal_state(request) if request.user.is_authenticated else {}
    purpose = " ".join(request.GET.get("purpose", "").split())[:80]
    allowed, logged_purpose = asset_access_rule(
        user=request.user, photo=photo, kind=kind, portal=portal, purpose=purpose
    )
    role = _role(portal, request.user, photo)
    file = {"thumbnail": photo.thumbnail, "preview": photo.preview, "original": photo.original}[kind]
    if allowed and not file:
        raise Http404  # renditions not made yet
    access = None
    if role != "owner" and (not allowed or kind != AssetAccess.Kind.THUMBNAIL):
        access = asset_access_record(
            photo=photo,
            viewer=request.user,
            viewer_role=role,
            kind=kind,
            granted=allowed,
            purpose=logged_purpose,
            client=ClientInfo.from_request(request),
        )
    if not allowed:
        raise Http404
    if kind == AssetAccess.Kind.ORIGINAL and role == "creator" and access is not None:
        return _licensed_original(request, photo, access, channel)
    extension = (file.name or "").rsplit(".", 1)[-1]
    content_type = photo.content_type if kind == AssetAccess.Kind.ORIGINAL else "image/jpeg"
    return private_file_response(
        file,
        content_type=content_type,
        as_attachment=kind == AssetAccess.Kind.ORIGINAL,
        filename=f"consentcast-{photo.actor.slug}-{photo.pk}-{kind}.{extension}",
        cache_control=ASSET_CACHE[kind],
    )


def _licensed_original(
    request: HttpRequest, photo: LikenessPhoto, access: AssetAccess, channel: str
) -> HttpResponseBase:
    """A licensee's download: a fresh copy marked for this delivery, made and
    recorded by the contracts' floor (``actors.hooks.deliver_original``)."""
    delivered = deliver_original(
        OriginalDownload(
            photo=photo,
            licensee=signed_in_user(request),
            licence_code=access.purpose,
            access=access,
            client=ClientInfo.from_request(request),
            channel=channel,
        )
    )
    if delivered is None:
        raise Http404  # the licence ended a moment ago, or the file is gone
    response = FileResponse(
        io.BytesIO(delivered.content),
        content_type=delivered.content_type,
        as_attachment=True,
        filename=f"consentcast-{photo.actor.slug}-{photo.pk}-original.{delivered.extension}",
    )
    response["Cache-Control"] = ASSET_CACHE[AssetAccess.Kind.ORIGINAL]
    response["X-Content-Type-Options"] = "nosniff"
    response["Vary"] = "Cookie"
    return response
