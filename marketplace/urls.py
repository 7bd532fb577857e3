from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from marketplace import token_views, views

admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = _("ConsentCast administration")
admin.site.site_title = _("ConsentCast administration")

urlpatterns = [
    path("", views.home, name="home"),
    path("onboarding/", views.onboarding, name="onboarding"),
    path("notifications/", views.notifications_list, name="notifications"),
    path("notifications/badge/", views.notifications_badge, name="notifications_badge"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
    path("i18n/setlang/", views.language_set, name="set_language"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("accounts/tokens/", token_views.api_tokens, name="api_tokens"),
    path("accounts/tokens/<int:pk>/revoke/", token_views.api_token_revoke_view, name="api_token_revoke"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("marketplace.api.urls")),
    path("", include("actors.urls")),
    path("", include("creators.urls")),
    path("", include("creators.roster_urls")),
    path("", include("usage_requests.urls")),
    path("", include("moderation.urls")),
]

handler400 = "marketplace.api.errors.bad_request"
handler404 = "marketplace.api.errors.page_not_found"
handler500 = "marketplace.api.errors.server_error"
