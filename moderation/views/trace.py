"""``/trace/``: an actor (about their own likeness) or a moderator uploads a
copy found somewhere and learns which delivery it came from; the actor can
open a dispute from the result with the image as evidence, in one step.

The page is one form: "Trace" answers htmx with the result inside the same
form, so the chosen file stays chosen and "Open a dispute" sends it again
with the dispute's fields (``/trace/dispute/`` re-traces before opening
anything). Without JavaScript the page reloads and the file is chosen again.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from marketplace.exceptions import DomainError
from marketplace.files import StorageUnavailable
from marketplace.http import AuthenticatedRequest, ClientInfo, portal_state
from marketplace.ratelimit import hit
from marketplace.selectors import user_has_totp
from moderation.access import mfa_setup_url
from moderation.forms.trace import TraceDisputeForm, TraceForm
from moderation.services.trace import TraceResult, leak_trace, leak_trace_dispute, may_see_delivery
from usage_requests.models import Delivery, Party
from usage_requests.selectors import delivery_with_contract, normalise_delivery_id

# Each trace decodes an upload of up to 15 MB and searches it: plenty for
# checking found copies by hand, not for using the portal as a batch service.
TRACES_PER_HOUR = 60


def tracer_view(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Signed in (else the login page); an actor or a moderator (else 403);
    a moderator with an authenticator app (else sent to set one up, as under
    /moderation/); a POST within ``TRACES_PER_HOUR`` (else 429). The view
    receives ``as_moderator``."""

    @login_required
    @wraps(view)
    def wrapper(request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        state = portal_state(request)
        if not (state["is_actor"] or state["is_moderator"]):
            raise PermissionDenied
        as_moderator = bool(state["is_moderator"])
        if as_moderator and not user_has_totp(request.user):
            return HttpResponseRedirect(mfa_setup_url(request.get_full_path()))
        if request.method == "POST":
            allowed, retry_after = hit(f"trace:{request.user.pk}", limit=TRACES_PER_HOUR, window_seconds=3600)
            if not allowed:
                response = render(request, "429.html", {"retry_after": retry_after}, status=429)
                response["Retry-After"] = str(retry_after)
                return response
        return view(request, *args, as_moderator=as_moderator, **kwargs)

    return wrapper


def _result_context(request: AuthenticatedRequest, result: TraceResult | None, as_moderator: bool) -> dict[str, Any]:
    delivery = result.delivery if result is not None else None
    return {
        "result": result,
        "delivery": delivery,
        "can_dispute": delivery is not None and delivery.contract.party_of(request.user) == Party.ACTOR,
        "as_moderator": as_moderator,
        "dispute_form": TraceDisputeForm(),
    }


def _linked_delivery(request: AuthenticatedRequest, as_moderator: bool) -> Delivery | None:
    """The delivery a "trace" link of the access log names (``?delivery=``),
    if the viewer may see it; anything else is ignored."""
    delivery_id = normalise_delivery_id(request.GET.get("delivery", ""))
    delivery = delivery_with_contract(delivery_id) if delivery_id else None
    if delivery is None or not may_see_delivery(request.user, delivery, as_moderator=as_moderator):
        return None
    return delivery


def _page(request: AuthenticatedRequest, context: dict[str, Any], *, status: int = 200) -> HttpResponse:
    if request.htmx:
        # htmx does not swap a 4xx answer: the result comes back with the error.
        return render(request, "moderation/_trace_result.html", context)
    return render(request, "moderation/trace.html", context, status=status)


@require_http_methods(["GET", "POST"])
@tracer_view
def trace(request: AuthenticatedRequest, as_moderator: bool) -> HttpResponse:
    if request.method == "GET":
        context = {
            **_result_context(request, None, as_moderator),
            "form": TraceForm(),
            "linked": _linked_delivery(request, as_moderator),
        }
        return render(request, "moderation/trace.html", context)
    form = TraceForm(request.POST, request.FILES)
    result = None
    if form.is_valid():
        try:
            result = leak_trace(
                user=request.user,
                upload=form.cleaned_data["image"],
                as_moderator=as_moderator,
                client=ClientInfo.from_request(request),
            )
        except ValidationError as exc:
            form.add_error("image", exc.messages)
    context = {**_result_context(request, result, as_moderator), "form": form}
    return _page(request, context, status=200 if result is not None else 400)


@require_POST
@tracer_view
def trace_dispute(request: AuthenticatedRequest, as_moderator: bool) -> HttpResponseBase:
    """Open a dispute from a trace result: the image is traced again (the
    result page's word is not taken for it) and attached as evidence."""
    form = TraceDisputeForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            dispute, opened = leak_trace_dispute(
                user=request.user,
                upload=form.cleaned_data["image"],
                category=form.cleaned_data["category"],
                note=form.cleaned_data["note"],
                client=ClientInfo.from_request(request),
            )
        except ValidationError as exc:
            form.add_error("image", exc.messages)
        except StorageUnavailable as exc:
            form.add_error("image", exc.message)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            if opened:
                messages.success(
                    request, _("Dispute opened with the image as evidence. The moderators will review it.")
                )
            else:
                messages.info(request, _("A dispute on this licence was already open; the image was added to it."))
            return redirect("moderation:dispute", pk=dispute.pk)
    context = {**_result_context(request, None, as_moderator), "form": form, "dispute_form": form}
    return render(request, "moderation/trace.html", context, status=400)
