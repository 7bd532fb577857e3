"""URLs of the contract pages, signing, and the public licence check."""

from django.urls import path

from usage_requests import contract_views as views

urlpatterns: list = [
    path("contracts/", views.contract_list, name="contract_list"),
    path("contracts/<int:pk>/", views.contract_detail, name="contract_detail"),
    path("contracts/<int:pk>/sign/", views.contract_sign_view, name="contract_sign"),
    path("contracts/<int:pk>/revoke/", views.contract_revoke_view, name="contract_revoke"),
    path("verify/", views.verify, name="verify"),
    path("verify/<str:code>/", views.verify_code, name="verify_code"),
]
