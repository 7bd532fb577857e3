"""URLs of the usage_requests app: the request pages (views.py) and the
contract and licence pages (contract_views.py)."""

from django.urls import include, path

app_name = "usage_requests"
urlpatterns: list = [
    path("", include("usage_requests.request_urls")),
    path("", include("usage_requests.contract_urls")),
]
