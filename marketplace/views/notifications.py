"""Notifications (list, read, badge) and the language choice."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from django.views.i18n import set_language

from marketplace.http import AuthenticatedRequest, get_in_scope_or_404, safe_next_url
from marketplace.languages import is_supported
from marketplace.selectors import notifications_for_user
from marketplace.services import notification_mark_read, notifications_mark_all_read, user_set_language

NOTIFICATIONS_PER_PAGE = 25


@require_safe
@login_required
def notifications_list(request: AuthenticatedRequest) -> HttpResponse:
    queryset = notifications_for_user(request.user)
    only_unread = request.GET.get("unread") == "1"
    if only_unread:
        queryset = queryset.filter(read_at__isnull=True)
    page = Paginator(queryset, NOTIFICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "marketplace/notifications.html", {"page": page, "only_unread": only_unread})


@require_POST
@login_required
def notification_read(request: AuthenticatedRequest, pk: int) -> HttpResponse:
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
def notifications_read_all(request: AuthenticatedRequest) -> HttpResponse:
    count = notifications_mark_all_read(user=request.user)
    if count:
        messages.success(request, _("All notifications marked as read."))
    return redirect("notifications")


@require_safe
@login_required
def notifications_badge(request: AuthenticatedRequest) -> HttpResponse:
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
