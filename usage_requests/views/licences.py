"""The public licence check at ``/verify/``: anyone holding a licence code
sees whether the licence is in force today and what it covers, from the
contract's snapshot; the checks are limited per address (together with the
API's ``/api/v1/licenses/<code>/``). The verdict comes from
``usage_requests.verdicts``, the one vocabulary every page shares."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from marketplace.http import PortalRequest, client_ip
from marketplace.ratelimit import hit
from usage_requests.forms import LicenceCheckForm
from usage_requests.selectors import contract_by_licence_code, delivered_copies
from usage_requests.services import normalise_licence_code
from usage_requests.verdicts import verdict_guide, verdict_of
from usage_requests.views.contracts import snapshot_view


def _over_limit(request: HttpRequest) -> HttpResponse | None:
    """The 429 page when this address checked too many codes this minute."""
    allowed, retry_after = hit(
        f"licence-check:{client_ip(request) or 'unknown'}",
        limit=settings.LICENCE_CHECKS_PER_MINUTE,
        window_seconds=60,
    )
    if allowed:
        return None
    response = render(request, "429.html", status=429)
    response["Retry-After"] = str(retry_after)
    return response


def _noindex(response: HttpResponse) -> HttpResponse:
    # A licence page is for whoever holds the code, not for search engines.
    response["X-Robots-Tag"] = "noindex"
    return response


@require_safe
@never_cache
def verify(request: PortalRequest) -> HttpResponse:
    limited = _over_limit(request)
    if limited:
        return limited
    context = {"guide": verdict_guide()}
    if "code" not in request.GET:
        return render(request, "usage_requests/verify.html", {**context, "form": LicenceCheckForm()})
    form = LicenceCheckForm(request.GET)
    if form.is_valid():
        return redirect("usage_requests:verify_code", code=form.cleaned_data["code"])
    return render(request, "usage_requests/verify.html", {**context, "form": form}, status=400)


def _no_such_licence(request: PortalRequest, code: str) -> HttpResponse:
    """The portal's own 404 for an unknown or malformed code, in the reader's
    language whatever DEBUG says, with the box to try again (a malformed
    code shows why it cannot be one)."""
    form = LicenceCheckForm({"code": code[:40]})
    form.is_valid()
    return _noindex(render(request, "usage_requests/verify_unknown.html", {"form": form, "code": code}, status=404))


@require_safe
@never_cache
def verify_code(request: PortalRequest, code: str) -> HttpResponse:
    limited = _over_limit(request)
    if limited:
        return limited
    canonical = normalise_licence_code(code)
    if canonical is None:
        return _no_such_licence(request, code)
    if canonical != code:
        return redirect("usage_requests:verify_code", code=canonical, permanent=True)
    contract = contract_by_licence_code(canonical)
    if contract is None:
        return _no_such_licence(request, code)
    context = {
        "contract": contract,
        "snap": snapshot_view(contract),
        "verdict": verdict_of(contract),
        "checked_at": timezone.now(),
        "delivered_copies": delivered_copies(contract),
        "form": LicenceCheckForm(),
    }
    return _noindex(render(request, "usage_requests/verify_code.html", context))
