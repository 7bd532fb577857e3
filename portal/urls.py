"""The root URLconf: every app's pages, allauth, the admin and the API.

Paths are DESIGN.md's "Interface"; each app lists its own in its
``urls.py`` and this floor, which knows every app, mounts them.
"""

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from creators.urls import roster_urlpatterns
from portal import views

# Wrapping the admin site's login view is the point: it cannot be a subclass here.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]
admin.site.site_header = _("ConsentCast administration")
admin.site.site_title = _("ConsentCast administration")

urlpatterns = [
    path("", views.home, name="home"),
    path("onboarding/", views.onboarding, name="onboarding"),
    path("", include("marketplace.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("portal.api")),
    path("", include("actors.urls")),
    path("", include("creators.urls")),
    path("", include(roster_urlpatterns)),
    path("", include("usage_requests.urls")),
    path("", include("moderation.urls")),
]

handler400 = "marketplace.api.errors.bad_request"
handler404 = "marketplace.api.errors.page_not_found"
handler500 = "marketplace.api.errors.server_error"
