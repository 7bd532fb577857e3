"""URLs of the platform core: notifications, language, API tokens, health.

The root URLconf (``portal.urls``) includes these without a namespace."""

from django.urls import path

from marketplace.views import health, notifications, tokens

urlpatterns = [
    path("notifications/", notifications.notifications_list, name="notifications"),
    path("notifications/badge/", notifications.notifications_badge, name="notifications_badge"),
    path("notifications/read-all/", notifications.notifications_read_all, name="notifications_read_all"),
    path("notifications/<int:pk>/read/", notifications.notification_read, name="notification_read"),
    path("i18n/setlang/", notifications.language_set, name="set_language"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("accounts/tokens/", tokens.api_tokens, name="api_tokens"),
    path("accounts/tokens/<int:pk>/revoke/", tokens.api_token_revoke_view, name="api_token_revoke"),
]
