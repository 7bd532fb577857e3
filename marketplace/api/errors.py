"""One error format for the whole API (DESIGN.md "Interface").

* 400: field errors as ``{"field": ["message"]}``; an error that belongs to
  no one field under ``non_field_errors``; refused red lines under
  ``red_lines`` (every reason).
* 401 / 403 / 404 / 405 / 429: ``{"detail": "message"}``.
* 409: an illegal or lost transition, ``{"detail": "what happened"}``.

Domain exceptions raised by the services carry their own status and body
(``DomainError.http_status`` and ``api_body``), so views only call the service
and this module imports no app. Messages come from ``gettext``: the language of the request
(``Accept-Language``, or the account's language for the browser session).
"""

import sys

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from marketplace.exceptions import DomainError

NON_FIELD = "non_field_errors"


def field_error(field: str | None, message: str) -> dict:
    return {field or NON_FIELD: [message]}


def _domain_response(exc: DomainError) -> Response:
    # Each domain error knows its own status and body (marketplace.exceptions).
    return Response(exc.api_body(), status=exc.http_status)


def api_exception_handler(exc, context) -> Response | None:
    if isinstance(exc, DomainError):
        return _domain_response(exc)
    if isinstance(exc, DjangoPermissionDenied) and exc.args:
        # A service's own reason (e.g. "Only the actor of this request can do that.").
        return Response({"detail": str(exc.args[0])}, status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, Http404):
        return Response({"detail": _("Not found.")}, status=status.HTTP_404_NOT_FOUND)
    return exception_handler(exc, context)


# --- Answers Django gives before any API view runs ------------------------------------


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def page_not_found(request, exception):
    """``handler404``: JSON under ``/api/`` (a URL no endpoint matches, such as
    a non-numeric id), the portal's page elsewhere."""
    if _is_api(request):
        return JsonResponse({"detail": _("Not found.")}, status=status.HTTP_404_NOT_FOUND)
    return defaults.page_not_found(request, exception)


def bad_request(request, exception):
    if _is_api(request):
        return JsonResponse({"detail": _("Bad request.")}, status=status.HTTP_400_BAD_REQUEST)
    return defaults.bad_request(request, exception)


def server_error(request):
    """``handler500``. A database that does not answer (restarting, or
    unreachable) is a 503 with ``Retry-After``, not a 500: nothing was
    changed, and trying again shortly works (``DatabaseOutageMiddleware``
    does so once for reads)."""
    if isinstance(sys.exc_info()[1], DatabaseError):
        return _database_unavailable(request)
    if _is_api(request):
        return JsonResponse(
            {"detail": _("Something went wrong on our side. Nothing was changed; try again.")},
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    return defaults.server_error(request)


# What a database that is down, restarting or unreachable raises (a query
# error such as an IntegrityError is a bug, and stays a 500).
DatabaseError = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 5


def _database_unavailable(request) -> HttpResponse:
    response: HttpResponse
    if _is_api(request):
        message = _("The service is briefly unavailable. Nothing was changed; try again in a few seconds.")
        response = JsonResponse({"detail": message}, status=status.HTTP_503_SERVICE_UNAVAILABLE)
    else:
        # Rendered without the request: context processors would query the
        # database that just failed.
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.database_unavailable = True  # type: ignore[attr-defined]  # read by DatabaseOutageMiddleware
    return response
