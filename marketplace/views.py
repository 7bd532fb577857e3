"""Pages of the platform core: home, onboarding, notifications, health."""

import logging
import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.i18n import set_language

from actors.selectors import actor_profile_for_user, checklist_for_actor
from marketplace.celery import app as celery_app
from marketplace.exceptions import RoleAlreadyHeld
from marketplace.forms import OnboardingForm
from marketplace.http import ClientInfo, get_in_scope_or_404, portal_state, safe_next_url
from marketplace.languages import is_supported
from marketplace.selectors import (
    notifications_for_user,
    user_has_totp,
    user_needs_onboarding,
)
from marketplace.services import (
    notification_mark_read,
    notifications_mark_all_read,
    onboarding_role_add,
    user_set_language,
)

logger = logging.getLogger(__name__)


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "marketplace/landing.html")
    state = portal_state(request)
    if user_needs_onboarding(request.user, state):
        return redirect("onboarding")
    context = {
        "latest_notifications": notifications_for_user(request.user)[:5],
        "has_mfa": state["is_moderator"] and user_has_totp(request.user),
    }
    if state["is_actor"]:
        actor = actor_profile_for_user(request.user)
        context["actor_profile"] = actor
        context["checklist"] = checklist_for_actor(actor) if actor else []
    return render(request, "marketplace/dashboard.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def onboarding(request: HttpRequest) -> HttpResponse:
    state = portal_state(request)
    held = {role for role in ("actor", "creator") if state[f"is_{role}"]}
    if held == {"actor", "creator"}:
        messages.info(request, _("You already have both roles."))
        return redirect("home")
    form = OnboardingForm(request.POST if request.method == "POST" else None, held_roles=held)
    if request.method == "POST" and form.is_valid():
        role = form.cleaned_data["role"]
        try:
            onboarding_role_add(
                user=request.user,
                role=role,
                name=form.cleaned_data["name"],
                client=ClientInfo.from_request(request),
            )
        except RoleAlreadyHeld as exc:
            messages.info(request, exc.message)
            return redirect("home")
        if role == "actor":
            messages.success(request, _("Your actor profile is created. Nobody can find you until you opt in."))
        else:
            messages.success(request, _("Your creator profile is created."))
        return redirect("home")
    status = 400 if request.method == "POST" else 200
    return render(request, "marketplace/onboarding.html", {"form": form, "held_roles": held}, status=status)


NOTIFICATIONS_PER_PAGE = 25


@require_safe
@login_required
def notifications_list(request: HttpRequest) -> HttpResponse:
    queryset = notifications_for_user(request.user)
    only_unread = request.GET.get("unread") == "1"
    if only_unread:
        queryset = queryset.filter(read_at__isnull=True)
    page = Paginator(queryset, NOTIFICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "marketplace/notifications.html", {"page": page, "only_unread": only_unread})


@require_POST
@login_required
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_in_scope_or_404(request, notifications_for_user(request.user), pk=pk)
    notification_mark_read(notification=notification)
    if request.htmx:
        response = render(request, "marketplace/_notification.html", {"notification": notification})
        # The navigation badge listens for this event and refreshes itself.
        response["HX-Trigger"] = "notifications-changed"
        return response
    if request.POST.get("open") and notification.url:
        return redirect(safe_next_url(request, notification.url, "notifications"))
    return redirect(safe_next_url(request, request.POST.get("next", ""), "notifications"))


@require_POST
@login_required
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    count = notifications_mark_all_read(user=request.user)
    if count:
        messages.success(request, _("All notifications marked as read."))
    return redirect("notifications")


@require_safe
@login_required
def notifications_badge(request: HttpRequest) -> HttpResponse:
    return render(request, "marketplace/_notifications_badge.html")


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """Django's set_language, which also saves the choice on the account."""
    language = request.POST.get("language", "")
    if not is_supported(language):
        messages.error(request, _("That language is not available."))
        return redirect(safe_next_url(request, request.POST.get("next", ""), "home"))
    if request.user.is_authenticated:
        user_set_language(user=request.user, language=language)
    return set_language(request)


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is up and answering. Touches nothing else."""
    return JsonResponse({"status": "ok"})


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_cache() -> None:
    token = secrets.token_hex(8)
    cache.set("readyz", token, 10)
    if cache.get("readyz") != token:
        raise RuntimeError("cache did not return what was written")


def _check_broker() -> None:
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=3)


READINESS_CHECKS = {"database": _check_database, "cache": _check_cache, "broker": _check_broker}


@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    """Database, cache and broker reachable: 200; otherwise 503 naming each failing part."""
    checks = {}
    for name, check in READINESS_CHECKS.items():
        try:
            check()
        except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
            logger.warning("readyz: %s unavailable: %s", name, exc)
            checks[name] = "unavailable"
        else:
            checks[name] = "ok"
    failing = [name for name, result in checks.items() if result != "ok"]
    body = {"status": "unavailable" if failing else "ok", "checks": checks, "failing": failing}
    return JsonResponse(body, status=503 if failing else 200)
