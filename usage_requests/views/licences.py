"""The public licence check at ``/verify/``: anyone holding a licence code
sees whether the licence is in force today, what it covers and the hashes
of the outputs the actor approved, from the contract's snapshot; anyone
holding a file's SHA-256 sees at ``/verify/outputs/<sha256>/`` which
licence it is an approved output of. The checks are limited per address
(together with the API's ``/api/v1/licenses/<code>/``). The verdict comes
from ``usage_requests.verdicts``, the one vocabulary every page shares."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from marketplace.http import PortalRequest, client_ip
from marketplace.ratelimit import hit
from usage_requests.forms import LicenceCheckForm, OutputCheckForm
from usage_requests.output_lookup import output_lookup
from usage_requests.selectors import contract_by_licence_code, delivered_copies
from usage_requests.selectors.approved_outputs import approved_outputs_of, normalise_sha256
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
    context = {"guide": verdict_guide(), "output_form": OutputCheckForm()}
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
        "approved_outputs": approved_outputs_of(contract),
        "form": LicenceCheckForm(),
    }
    return _noindex(render(request, "usage_requests/verify_code.html", context))


@require_safe
@never_cache
def verify_outputs(request: PortalRequest) -> HttpResponse:
    """The "Check a file" box without JavaScript: a pasted hash goes to its
    page; a malformed one is a form error on ``/verify/``."""
    limited = _over_limit(request)
    if limited:
        return limited
    form = OutputCheckForm(request.GET)
    if form.is_valid():
        return redirect("usage_requests:verify_output", sha256=form.cleaned_data["sha256"])
    context = {"guide": verdict_guide(), "form": LicenceCheckForm(), "output_form": form}
    return render(request, "usage_requests/verify.html", context, status=400)


@require_safe
@never_cache
def verify_output(request: PortalRequest, sha256: str) -> HttpResponse:
    """Whether the file with this SHA-256 is an approved output, of which
    licences and whether they are in force: 400 for a malformed hash, 404
    when no approved output has it (unknown, pending or rejected)."""
    limited = _over_limit(request)
    if limited:
        return limited
    canonical = normalise_sha256(sha256)
    if canonical is not None and canonical != sha256:
        return redirect("usage_requests:verify_output", sha256=canonical, permanent=True)
    form = OutputCheckForm({"sha256": sha256[:100]})
    lookup = output_lookup(canonical) if canonical is not None and form.is_valid() else None
    context = {"lookup": lookup, "sha256": sha256, "output_form": form, "checked_at": timezone.now()}
    status = 200 if lookup else (404 if canonical else 400)
    return _noindex(render(request, "usage_requests/verify_output.html", context, status=status))
