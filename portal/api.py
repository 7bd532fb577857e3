"""``/api/v1/`` (each app's ``api.py``), the schema and the docs."""

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from creators.api import urlpatterns as creator_urls
from usage_requests.api import urlpatterns as request_urls

app_name = "api"

# The split view serves its start-up script as a file, so the docs run under
# the portal's script policy (no inline script). Swagger UI's page and
# components carry inline styles: only this page allows them.
docs_view = csp_update({"style-src": [UNSAFE_INLINE]})(SpectacularSwaggerSplitView.as_view(url_name="api:schema"))

urlpatterns = [
    path("v1/", include((creator_urls + request_urls, "v1"))),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", docs_view, name="docs"),
]
