"""The public licence check at ``/verify/``: anyone holding a licence code
sees whether the licence is in force today and what it covers, from the
contract's snapshot; the checks are limited per address (together with the
API's ``/api/v1/licenses/<code>/``)."""

from datetime import date
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from marketplace.http import PortalRequest, client_ip
from marketplace.ratelimit import hit
from usage_requests.forms import LicenceCheckForm
from usage_requests.models import Contract, ContractStatus
from usage_requests.selectors import contract_by_licence_code, delivered_copies
from usage_requests.services import normalise_licence_code
from usage_requests.views.contracts import STATUS_COLOURS, snapshot_view


def verdict_of(contract: Contract, *, today: date | None = None) -> dict[str, Any]:
    """The public verdict on a licence: whether it is in force now, why not,
    and its colour."""
    if contract.status == ContractStatus.ACTIVE:
        return _active_verdict(contract, today or timezone.localdate())
    return _inactive_verdict(contract)


def _active_verdict(contract: Contract, today: date) -> dict[str, Any]:
    """An active licence is in force only inside its term."""
    if contract.term_start > today:
        return {
            "valid": False,
            "colour": "info",
            "icon": "bi-hourglass-split",
            "heading": _("Signed, not yet in force"),
            "detail": _("Both parties signed this licence. Its term has not started yet."),
        }
    if contract.term_end < today:
        return {
            "valid": False,
            "colour": "secondary",
            "icon": "bi-calendar-x",
            "heading": _("Not in force: the term has ended"),
            "detail": _("The licensed use was allowed only until the end of its term."),
        }
    return {
        "valid": True,
        "colour": "success",
        "icon": "bi-patch-check-fill",
        "heading": _("Valid licence"),
        "detail": _("Both parties signed this licence and it is in force today, within the terms below."),
    }


def _inactive_verdict(contract: Contract) -> dict[str, Any]:
    """Why a licence in any other status is not in force."""
    reasons: dict[str, tuple[str, str, str]] = {
        ContractStatus.AWAITING_SIGNATURES: (
            _("Not in force: awaiting signatures"),
            _("The licence takes effect only once both the actor and the creator have signed it."),
            "bi-pen",
        ),
        ContractStatus.CANCELLED: (
            _("Not in force: cancelled"),
            _("It was not signed in time, so it never took effect."),
            "bi-x-circle",
        ),
        ContractStatus.COMPLETED: (
            _("Not in force: the term has ended"),
            _("The licensed use was allowed only until the end of its term."),
            "bi-calendar-x",
        ),
        ContractStatus.SUSPENDED: (
            _("Not in force: under dispute"),
            _("A dispute is open. The licence is suspended until a moderator decides."),
            "bi-exclamation-triangle-fill",
        ),
        ContractStatus.REVOKED: (
            _("Not in force: revoked"),
            _("The actor revoked this licence. The likeness may no longer be used under it."),
            "bi-slash-circle",
        ),
        ContractStatus.VOIDED: (
            _("Not in force: voided"),
            _("A moderator voided this licence after a dispute. It is void for good."),
            "bi-x-octagon-fill",
        ),
    }
    heading, detail, icon = reasons.get(contract.status, (contract.get_status_display(), "", "bi-question-circle"))
    return {
        "valid": False,
        "colour": STATUS_COLOURS.get(contract.status, "secondary"),
        "icon": icon,
        "heading": heading,
        "detail": detail,
    }


# --- Pages --------------------------------------------------------------------


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


@require_safe
@never_cache
def verify(request: PortalRequest) -> HttpResponse:
    limited = _over_limit(request)
    if limited:
        return limited
    if "code" not in request.GET:
        return render(request, "usage_requests/verify.html", {"form": LicenceCheckForm()})
    form = LicenceCheckForm(request.GET)
    if form.is_valid():
        return redirect("usage_requests:verify_code", code=form.cleaned_data["code"])
    return render(request, "usage_requests/verify.html", {"form": form}, status=400)


@require_safe
@never_cache
def verify_code(request: PortalRequest, code: str) -> HttpResponse:
    limited = _over_limit(request)
    if limited:
        return limited
    canonical = normalise_licence_code(code)
    if canonical is None:
        raise Http404
    if canonical != code:
        return redirect("usage_requests:verify_code", code=canonical, permanent=True)
    contract = contract_by_licence_code(canonical)
    if contract is None:
        raise Http404
    context = {
        "contract": contract,
        "snap": snapshot_view(contract),
        "verdict": verdict_of(contract),
        "status_colour": STATUS_COLOURS.get(contract.status, "secondary"),
        "checked_at": timezone.now(),
        "delivered_copies": delivered_copies(contract),
        "form": LicenceCheckForm(),
    }
    response = render(request, "usage_requests/verify_code.html", context)
    # A licence page is for whoever holds the code, not for search engines.
    response["X-Robots-Tag"] = "noindex"
    return response
