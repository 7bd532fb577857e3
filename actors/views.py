"""The actor's own pages (/actors/me/…) and the guarded photo files."""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.core.signing import BadSignature, SignatureExpired
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from actors.consent import CONSENT_VERSION, consent_text
from actors.forms import ActorProfileForm, DeleteAccountForm, OptInForm, PhotoUploadForm, RedLinesForm
from actors.models import MAX_PHOTOS_PER_ACTOR, ActorProfile, AssetAccess, DataExport, LikenessPhoto, RedLines
from actors.selectors import (
    access_log_for_actor,
    access_log_viewers,
    actor_profile_for_user,
    asset_access_rule,
    consent_history,
    exports_for_actor,
    photos_for_actor,
)
from actors.services import (
    account_delete,
    actor_opt_in,
    actor_opt_out,
    actor_profile_update,
    asset_access_record,
    data_export_downloaded,
    data_export_request,
    photo_delete,
    photo_set_primary,
    photo_upload,
    photos_reorder,
    red_lines_update,
)
from actors.services.privacy import access_log_csv, export_download_path, export_signer
from marketplace.api.authentication import user_from_token_header
from marketplace.exceptions import InvalidTransition
from marketplace.http import ClientInfo, get_in_scope_or_404, portal_state, private_file_response
from moderation.forms.verification import VerificationUploadForm
from moderation.models import VERIFICATION_IMAGE_RETENTION_DAYS
from moderation.services.verification import verification_start, verification_submit


def actor_required(view):
    """Signed-in actors only: anonymous visitors go to sign in, anyone else
    gets 403. The view receives the actor's profile as ``actor``."""

    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args, **kwargs):
        actor = actor_profile_for_user(request.user)
        if actor is None:
            raise PermissionDenied(_("Only actors have this page."))
        return view(request, *args, actor=actor, **kwargs)

    return wrapper


@require_http_methods(["GET", "POST"])
@actor_required
def profile_edit(request: HttpRequest, actor: ActorProfile) -> HttpResponse:
    form = ActorProfileForm(request.POST if request.method == "POST" else None, instance=actor)
    if request.method == "POST":
        if form.is_valid():
            actor_profile_update(actor=actor, data=form.cleaned_data)
            messages.success(request, _("Your profile is saved."))
            return redirect("actors:profile_edit")
        actor.refresh_from_db()
    status = 400 if request.method == "POST" else 200
    return render(request, "actors/profile_edit.html", {"form": form, "actor": actor}, status=status)


def _photos_page(request: HttpRequest, actor: ActorProfile, form: PhotoUploadForm, *, status: int = 200):
    photos = list(photos_for_actor(actor))
    context = {
        "actor": actor,
        "photos": photos,
        "form": form,
        "max_photos": MAX_PHOTOS_PER_ACTOR,
        "room": max(MAX_PHOTOS_PER_ACTOR - len(photos), 0),
        "processing": any(photo.renditions == LikenessPhoto.Renditions.PENDING for photo in photos),
    }
    template = "actors/_photo_grid.html" if request.htmx and request.method == "GET" else "actors/photos.html"
    return render(request, template, context, status=status)


@require_http_methods(["GET", "POST"])
@actor_required
def photos(request: HttpRequest, actor: ActorProfile) -> HttpResponse:
    if request.method == "GET":
        return _photos_page(request, actor, PhotoUploadForm())
    form = PhotoUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            stored = photo_upload(actor=actor, files=form.cleaned_data["photos"])
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("photos", message)
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
            return redirect("actors:photos")
    return _photos_page(request, actor, form, status=400)


@require_POST
@actor_required
def photo_primary(request: HttpRequest, pk: int, actor: ActorProfile) -> HttpResponse:
    photo = get_in_scope_or_404(request, photos_for_actor(actor), pk=pk)
    photo_set_primary(photo=photo)
    messages.success(request, _("Primary photo changed."))
    return redirect("actors:photos")


@require_POST
@actor_required
def photo_remove(request: HttpRequest, pk: int, actor: ActorProfile) -> HttpResponse:
    photo = get_in_scope_or_404(request, photos_for_actor(actor), pk=pk)
    photo_delete(photo=photo)
    messages.success(request, _("Photo deleted, with its thumbnail and preview."))
    return redirect("actors:photos")


@require_POST
@actor_required
def photo_move(request: HttpRequest, pk: int, actor: ActorProfile) -> HttpResponse:
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


@require_http_methods(["GET", "POST"])
@actor_required
def red_lines(request: HttpRequest, actor: ActorProfile) -> HttpResponse:
    current, _created = RedLines.objects.get_or_create(actor=actor)
    initial = {
        "excluded_categories": current.excluded_categories,
        "blocked_keywords": ", ".join(current.blocked_keywords),
        "accepted_territories": current.accepted_territories,
        "ai_training_allowed": current.ai_training_allowed,
        "max_term_months": actor.max_term_months,
    }
    form = RedLinesForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        red_lines_update(actor=actor, **form.cleaned_data)
        messages.success(request, _("Your red lines are saved. Requests that cross them are refused."))
        return redirect("actors:red_lines")
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "actor": actor, "red_lines": current}
    return render(request, "actors/red_lines.html", context, status=status)


@require_http_methods(["GET", "POST"])
@actor_required
def opt_in(request: HttpRequest, actor: ActorProfile) -> HttpResponse:
    form = OptInForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        client = ClientInfo.from_request(request)
        try:
            if request.POST.get("action") == "opt_out":
                actor_opt_out(actor=actor, client=client)
                messages.success(request, _("You have opted out. Your profile is hidden from the roster."))
                return redirect("actors:opt_in")
            if form.is_valid():
                actor_opt_in(actor=actor, client=client)
                if actor.is_listed:
                    messages.success(request, _("You are opted in and listed on the roster."))
                else:
                    messages.success(
                        request, _("You are opted in. You will be listed once a moderator has verified your identity.")
                    )
                return redirect("actors:opt_in")
        except InvalidTransition as exc:
            messages.info(request, exc.message)
            return redirect("actors:opt_in")
    context = {
        "form": form,
        "actor": actor,
        "consent_text": consent_text(),
        "consent_version": CONSENT_VERSION,
        "history": consent_history(actor)[:50],
    }
    return render(request, "actors/opt_in.html", context, status=400 if request.method == "POST" else 200)


@require_http_methods(["GET", "POST"])
@actor_required
def verification(request: HttpRequest, actor: ActorProfile) -> HttpResponse:
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
            else:
                messages.success(request, _("Your photos are sent. A moderator will review them soon."))
                return redirect("actors:verification")
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
    return render(request, "actors/verification.html", context, status=status)


ACCESS_LOG_PER_PAGE = 50


def _viewer_filter(request: HttpRequest) -> int | None:
    """The ``viewer`` filter as a user id; anything else (text, a number no
    id can be) is ignored."""
    value = request.GET.get("viewer", "")
    if not value.isdigit() or len(value) > 18:
        return None
    return int(value)


@require_safe
@actor_required
def access_log(request: HttpRequest, actor: ActorProfile) -> HttpResponse:
    viewer_id = _viewer_filter(request)
    rows = access_log_for_actor(actor, viewer_id=viewer_id)
    page = Paginator(rows, ACCESS_LOG_PER_PAGE).get_page(request.GET.get("page"))
    context = {"actor": actor, "page": page, "viewers": access_log_viewers(actor), "viewer_id": viewer_id}
    return render(request, "actors/access_log.html", context)


@require_safe
@actor_required
def access_log_export(request: HttpRequest, actor: ActorProfile) -> HttpResponse:
    rows = access_log_for_actor(actor, viewer_id=_viewer_filter(request))
    response = StreamingHttpResponse(iter([access_log_csv(rows)]), content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="consentcast-access-log-{stamp}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
@actor_required
def data(request: HttpRequest, actor: ActorProfile) -> HttpResponse:
    exports = [
        {"export": export, "link": export_download_path(export) if export.status == DataExport.Status.READY else ""}
        for export in exports_for_actor(actor)[:5]
    ]
    context = {"actor": actor, "exports": exports, "delete_form": DeleteAccountForm(user=request.user)}
    return render(request, "actors/data.html", context)


@require_POST
@actor_required
def data_export(request: HttpRequest, actor: ActorProfile) -> HttpResponse:
    data_export_request(actor=actor)
    messages.success(request, _("Your export is being prepared. You will be notified when it is ready."))
    return redirect("actors:data")


@never_cache
@require_safe
@actor_required
def data_export_download(request: HttpRequest, token: str, actor: ActorProfile) -> HttpResponse:
    try:
        export_id = int(export_signer().unsign(token, max_age=settings.DATA_EXPORT_LINK_SECONDS))
    except SignatureExpired:
        messages.error(request, _("This download link has expired. Request a new export."))
        return redirect("actors:data")
    except (BadSignature, ValueError):
        raise Http404 from None
    export = get_in_scope_or_404(request, exports_for_actor(actor), pk=export_id)
    if export.status != DataExport.Status.READY or not export.archive or export.expires_at < timezone.now():
        messages.error(request, _("This export is no longer available. Request a new one."))
        return redirect("actors:data")
    response = private_file_response(
        export.archive,
        content_type="application/zip",
        as_attachment=True,
        filename=f"consentcast-data-{actor.slug}.zip",
    )
    data_export_downloaded(export=export, user=request.user, client=ClientInfo.from_request(request))
    return response


@require_POST
@actor_required
def account_remove(request: HttpRequest, actor: ActorProfile) -> HttpResponse:
    form = DeleteAccountForm(request.POST, user=request.user)
    if not form.is_valid():
        exports = [{"export": export, "link": ""} for export in exports_for_actor(actor)[:5]]
        context = {"actor": actor, "exports": exports, "delete_form": form}
        return render(request, "actors/data.html", context, status=400)
    account_delete(user=request.user, client=ClientInfo.from_request(request))
    from django.contrib.auth import logout

    logout(request)
    messages.success(request, _("Your account is deleted. Your photos are gone from our storage."))
    return redirect("home")


# --- Guarded files ----------------------------------------------------------

ASSET_CACHE = {
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
def photo_file(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """Serve a thumbnail, watermarked preview or original to those who may
    see it; everyone else gets the same 404 as for a photo that does not exist.
    The signed-in session or an API token (``Authorization: Token``) says who
    asks; an unknown or revoked token is simply no one.

    Every preview and original request by someone other than the actor is
    logged, granted or denied; thumbnails are logged only when denied.
    """
    if kind not in ASSET_CACHE:
        raise Http404
    if not request.user.is_authenticated:
        # A creator's tool downloads licensed originals with its API token.
        request.user = user_from_token_header(request) or request.user
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
    if role != "owner" and (not allowed or kind != AssetAccess.Kind.THUMBNAIL):
        asset_access_record(
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
    extension = file.name.rsplit(".", 1)[-1]
    content_type = photo.content_type if kind == AssetAccess.Kind.ORIGINAL else "image/jpeg"
    return private_file_response(
        file,
        content_type=content_type,
        as_attachment=kind == AssetAccess.Kind.ORIGINAL,
        filename=f"consentcast-{photo.actor.slug}-{photo.pk}-{kind}.{extension}",
        cache_control=ASSET_CACHE[kind],
    )
