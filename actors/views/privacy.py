"""The access log, the data export and account deletion."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.core.signing import BadSignature, SignatureExpired
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from actors.forms import DeleteAccountForm
from actors.hooks import access_deliveries
from actors.models import ActorProfile, DataExport
from actors.selectors import (
    access_log_for_actor,
    access_log_viewers,
    exports_for_actor,
)
from actors.services import (
    account_delete,
    data_export_downloaded,
    data_export_request,
)
from actors.services.privacy import access_log_csv, export_download_path, export_signer
from actors.views.access import actor_required
from marketplace.http import AuthenticatedRequest, ClientInfo, get_in_scope_or_404, private_file_response

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
def access_log(request: AuthenticatedRequest, actor: ActorProfile) -> HttpResponse:
    viewer_id = _viewer_filter(request)
    rows = access_log_for_actor(actor, viewer_id=viewer_id)
    page = Paginator(rows, ACCESS_LOG_PER_PAGE).get_page(request.GET.get("page"))
    # A licensee's download is a delivered copy: its watermark id, from the contracts' floor.
    marks = access_deliveries(actor, [row.pk for row in page])
    context = {
        "actor": actor,
        "page": page,
        "entries": [(row, marks.get(row.pk, "")) for row in page],
        "viewers": access_log_viewers(actor),
        "viewer_id": viewer_id,
    }
    return render(request, "actors/access_log.html", context)


@require_safe
@actor_required
def access_log_export(request: AuthenticatedRequest, actor: ActorProfile) -> HttpResponseBase:
    rows = access_log_for_actor(actor, viewer_id=_viewer_filter(request))
    marks = access_deliveries(actor, None)
    response = StreamingHttpResponse(iter([access_log_csv(rows, marks)]), content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="consentcast-access-log-{stamp}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
@actor_required
def data(request: AuthenticatedRequest, actor: ActorProfile) -> HttpResponse:
    recent = list(exports_for_actor(actor)[:5])
    # "Try again" on the latest export when it failed (a new request).
    exports = [_export_item(export, latest=index == 0) for index, export in enumerate(recent)]
    context = {"actor": actor, "exports": exports, "delete_form": DeleteAccountForm(user=request.user)}
    return render(request, "actors/data.html", context)


def _export_item(export: DataExport, *, latest: bool) -> dict[str, Any]:
    """One export as ``_export_row.html`` shows it: its download link once
    ready, "Try again" when it is the latest and failed."""
    return {
        "export": export,
        "link": export_download_path(export) if export.status == DataExport.Status.READY else "",
        "retry": latest and export.status == DataExport.Status.FAILED,
    }


@require_safe
@actor_required
def data_export_status(request: AuthenticatedRequest, pk: int, actor: ActorProfile) -> HttpResponse:
    """The row of one of the actor's exports, which the data page polls (htmx)
    while it is being prepared; the row answered once it is ready or failed
    polls no more. Another actor's export is a 404; a visit without htmx goes
    to the data page."""
    if not request.htmx:
        return redirect("actors:data")
    export = get_in_scope_or_404(request, exports_for_actor(actor), pk=pk)
    latest = export.status == DataExport.Status.FAILED and (
        exports_for_actor(actor).values_list("pk", flat=True).first() == export.pk
    )
    response = render(request, "actors/_export_row.html", {"item": _export_item(export, latest=latest)})
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@actor_required
def data_export(request: AuthenticatedRequest, actor: ActorProfile) -> HttpResponse:
    data_export_request(actor=actor)
    messages.success(request, _("Your export is being prepared. You will be notified when it is ready."))
    return redirect("actors:data")


@never_cache
@require_safe
@actor_required
def data_export_download(request: AuthenticatedRequest, token: str, actor: ActorProfile) -> HttpResponseBase:
    try:
        export_id = int(export_signer().unsign(token, max_age=settings.DATA_EXPORT_LINK_SECONDS))
    except SignatureExpired:
        messages.error(request, _("This download link has expired. Request a new export."))
        return redirect("actors:data")
    except (BadSignature, ValueError):
        raise Http404 from None
    export = get_in_scope_or_404(request, exports_for_actor(actor), pk=export_id)
    expired = export.expires_at is None or export.expires_at < timezone.now()
    if export.status != DataExport.Status.READY or not export.archive or expired:
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
def account_remove(request: AuthenticatedRequest, actor: ActorProfile) -> HttpResponse:
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
