"""``/api/v1/`` (each app's ``api.py``), the schema and the docs.

Every view here is imported on its first request, or when the web process
starts (``marketplace.lazy_views``), not by a worker that only links to
pages: ``drf_spectacular.views`` loads the schema generator and with it
``django.test``, Jinja2 and unittest."""

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.urls import include, path

from creators.api import urlpatterns as creator_urls
from marketplace.lazy_views import lazy_view
from usage_requests.api import urlpatterns as request_urls

app_name = "api"

# The split view serves its start-up script as a file, so the docs run under
# the portal's script policy (no inline script). Swagger UI's page and
# components carry inline styles: only this page allows them.
docs_view = csp_update({"style-src": [UNSAFE_INLINE]})(
    lazy_view("drf_spectacular.views.SpectacularSwaggerSplitView", url_name="api:schema")
)

urlpatterns = [
    path("v1/", include((creator_urls + request_urls, "v1"))),
    path("schema/", lazy_view("drf_spectacular.views.SpectacularAPIView"), name="schema"),
    path("docs/", docs_view, name="docs"),
]
