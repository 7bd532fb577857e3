"""The access log, the data export and account deletion."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.signing import BadSignature, SignatureExpired
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from actors.forms import DeleteAccountForm
from actors.hooks import access_deliveries
from actors.models import ActorProfile, DataExport
from actors.selectors import (
    access_log_archives_for_actor,
    access_log_for_actor,
    access_log_viewers,
    exports_for_actor,
)
from actors.services import (
    account_delete,
    data_export_downloaded,
    data_export_request,
)
from actors.services.exports import access_log_csv_lines
from actors.services.privacy import export_download_path, export_signer
from actors.views.access import actor_required
from marketplace.http import AuthenticatedRequest, ClientInfo, get_in_scope_or_404, private_file_response
from marketplace.keyset import keyset_page

ACCESS_LOG_PER_PAGE = 50
ACCESS_LOG_CURSOR_SALT = "actors.access-log.cursor"


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
    # Keyset pages (no COUNT, no OFFSET): "newer" and "older" carry a signed cursor.
    cursor = request.GET.get("cursor", "")
    page = keyset_page(rows, cursor=cursor, salt=ACCESS_LOG_CURSOR_SALT, size=ACCESS_LOG_PER_PAGE)
    # A licensee's download is a delivered copy: its watermark id, from the contracts' floor.
    marks = access_deliveries(actor, [row.pk for row in page.rows])
    context = {
        "actor": actor,
        "page": page,
        "entries": [(row, marks.get(row.pk, "")) for row in page.rows],
        "viewers": access_log_viewers(actor),
        "viewer_id": viewer_id,
        "query": urlencode({"viewer": viewer_id}) if viewer_id is not None else "",
        "archives": access_log_archives_for_actor(actor),
        "archive_days": settings.ACCESS_LOG_ARCHIVE_DAYS,
    }
    return render(request, "actors/access_log.html", context)


@require_safe
@actor_required
def access_log_export(request: AuthenticatedRequest, actor: ActorProfile) -> HttpResponseBase:
    rows = access_log_for_actor(actor, viewer_id=_viewer_filter(request))
    # Streamed: the rows are read a chunk at a time while the response is sent.
    response = StreamingHttpResponse(access_log_csv_lines(actor, rows), content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="consentcast-access-log-{stamp}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


@never_cache
@require_safe
@actor_required
def access_log_archive_download(request: AuthenticatedRequest, pk: int, actor: ActorProfile) -> HttpResponseBase:
    """One archived month of the actor's own access log (gzipped CSV);
    another actor's archive is the same 404 as a missing one."""
    archive = get_in_scope_or_404(request, access_log_archives_for_actor(actor), pk=pk)
    return private_file_response(
        archive.file,
        content_type="application/gzip",
        as_attachment=True,
        filename=f"consentcast-access-log-{archive.month:%Y-%m}.csv.gz",
    )


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
