"""A creator's webhooks (``/webhooks/``): register a URL, see its recent
deliveries, send a test event, replay a delivery, turn it off and on,
rotate its secret, delete it. Writes go through
``usage_requests.services.webhooks``.

A secret is shown once: the page a registration or rotation redirects to
takes it out of the session and shows it; reloading shows it no more.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from creators.views.access import creator_required
from marketplace import outbound
from marketplace.exceptions import DomainError
from marketplace.http import AuthenticatedRequest, get_in_scope_or_404
from usage_requests.forms import WebhookForm
from usage_requests.models import WebhookEndpoint
from usage_requests.selectors.webhooks import (
    recent_webhook_deliveries,
    webhook_deliveries_for_user,
    webhook_endpoints_for_user,
)
from usage_requests.services.webhooks import (
    MAX_ENDPOINTS,
    webhook_delivery_replay,
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_disable,
    webhook_endpoint_enable,
    webhook_endpoint_rotate_secret,
    webhook_ping_send,
)

# The session key the secret waits under until its page shows it.
NEW_SECRET = "webhook_new_secret"  # noqa: S105 - a key name, not a secret


def _endpoint_for(request: AuthenticatedRequest, pk: int) -> WebhookEndpoint:
    return get_in_scope_or_404(request, webhook_endpoints_for_user(request.user), pk=pk)


def _list_page(request: AuthenticatedRequest, form: WebhookForm, status: int = 200) -> HttpResponse:
    context = {
        "form": form,
        "endpoints": list(webhook_endpoints_for_user(request.user)),
        "max_endpoints": MAX_ENDPOINTS,
    }
    return render(request, "usage_requests/webhooks.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
@creator_required
def webhooks(request: AuthenticatedRequest) -> HttpResponse:
    """GET: your webhooks and the form. POST: register one; its page then
    shows the secret, once."""
    if request.method == "GET":
        return _list_page(request, WebhookForm())
    form = WebhookForm(request.POST)
    if form.is_valid():
        try:
            endpoint, secret = webhook_endpoint_create(
                owner=request.user,
                url=form.cleaned_data["url"],
                description=form.cleaned_data["description"],
                events=form.cleaned_data["events"],
            )
        except (outbound.UnsafeDestination, DomainError) as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            request.session[NEW_SECRET] = {"endpoint": endpoint.pk, "secret": secret}
            messages.success(request, _("The webhook is registered. Copy its secret now."))
            return redirect("usage_requests:webhook_detail", pk=endpoint.pk)
    return _list_page(request, form, status=400)


@never_cache
@require_safe
@login_required
@creator_required
def webhook_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The endpoint, its latest deliveries and what can be done with them."""
    endpoint = _endpoint_for(request, pk)
    shown = request.session.get(NEW_SECRET)
    new_secret = ""
    if isinstance(shown, dict) and shown.get("endpoint") == endpoint.pk:
        new_secret = str(shown.get("secret", ""))
        del request.session[NEW_SECRET]
    context = {"endpoint": endpoint, "deliveries": recent_webhook_deliveries(endpoint), "new_secret": new_secret}
    return render(request, "usage_requests/webhook_detail.html", context)


def _then_detail(request: AuthenticatedRequest, endpoint: WebhookEndpoint, action, success: str) -> HttpResponse:
    """Run ``action``; say ``success``, or the refusal; back to the endpoint's page."""
    try:
        action()
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect("usage_requests:webhook_detail", pk=endpoint.pk)


@require_POST
@login_required
@creator_required
def webhook_test(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    endpoint = _endpoint_for(request, pk)
    return _then_detail(
        request,
        endpoint,
        lambda: webhook_ping_send(endpoint=endpoint),
        _("A test event is on its way. Reload this page to see how it went."),
    )


@require_POST
@login_required
@creator_required
def webhook_replay(request: AuthenticatedRequest, pk: int, delivery_pk: int) -> HttpResponse:
    endpoint = _endpoint_for(request, pk)
    delivery = get_in_scope_or_404(
        request, webhook_deliveries_for_user(request.user), pk=delivery_pk, endpoint=endpoint
    )
    return _then_detail(
        request,
        endpoint,
        lambda: webhook_delivery_replay(delivery=delivery),
        _("The event is sent again, with the same event id."),
    )


@require_POST
@login_required
@creator_required
def webhook_disable(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    endpoint = _endpoint_for(request, pk)
    return _then_detail(
        request,
        endpoint,
        lambda: webhook_endpoint_disable(endpoint=endpoint),
        _("The webhook is off. Nothing is sent to it until you turn it on."),
    )


@require_POST
@login_required
@creator_required
def webhook_enable(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    endpoint = _endpoint_for(request, pk)
    return _then_detail(
        request,
        endpoint,
        lambda: webhook_endpoint_enable(endpoint=endpoint),
        _("The webhook is on. Events waiting for it are sent now, in order."),
    )


@require_POST
@login_required
@creator_required
def webhook_rotate_secret(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    endpoint = _endpoint_for(request, pk)
    secret = webhook_endpoint_rotate_secret(endpoint=endpoint)
    request.session[NEW_SECRET] = {"endpoint": endpoint.pk, "secret": secret}
    messages.success(request, _("The webhook has a new secret; the old one no longer signs. Copy it now."))
    return redirect("usage_requests:webhook_detail", pk=endpoint.pk)


@require_POST
@login_required
@creator_required
def webhook_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    endpoint = _endpoint_for(request, pk)
    webhook_endpoint_delete(endpoint=endpoint)
    messages.success(request, _("The webhook is deleted. Nothing more is sent to it."))
    return redirect("usage_requests:webhooks")
