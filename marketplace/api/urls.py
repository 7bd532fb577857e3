"""``/api/v1/`` (each app's ``api.py``), the schema and the docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from actors.api import urlpatterns as actor_urls
from creators.api import urlpatterns as creator_urls
from usage_requests.api import urlpatterns as request_urls
from usage_requests.contract_api import urlpatterns as contract_urls

app_name = "api"

urlpatterns = [
    path("v1/", include((actor_urls + creator_urls + request_urls + contract_urls, "v1"))),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file: no inline script,
    # so the page runs under the portal's strict CSP.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]
