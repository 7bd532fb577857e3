"""URLs of the usage_requests app: the request pages (``views.requests``,
``views.composer``, ``views.messages``), the contract pages
(``views.contracts``) and the public licence check (``views.licences``)."""

from django.urls import path

from usage_requests.views import composer, contracts, licences, messages, outputs, requests

app_name = "usage_requests"

request_urlpatterns = [
    path("requests/", requests.inbox, name="inbox"),
    path("requests/new/", composer.request_new, name="request_new"),
    path("requests/<int:pk>/", requests.request_detail, name="request_detail"),
    path("requests/<int:pk>/decide/", requests.request_decide, name="request_decide"),
    path("requests/<int:pk>/accept/", requests.request_accept, name="request_accept"),
    path("requests/<int:pk>/decline/", requests.request_decline, name="request_decline"),
    path("requests/<int:pk>/counter/", requests.request_counter, name="request_counter"),
    path("requests/<int:pk>/accept-counter/", requests.request_accept_counter, name="request_accept_counter"),
    path("requests/<int:pk>/withdraw/", requests.request_withdraw, name="request_withdraw"),
    path("requests/<int:pk>/messages/", messages.request_messages, name="request_messages"),
]

contract_urlpatterns = [
    path("contracts/", contracts.contract_list, name="contract_list"),
    path("contracts/<int:pk>/", contracts.contract_detail, name="contract_detail"),
    path("contracts/<int:pk>/sign/", contracts.contract_sign_view, name="contract_sign"),
    path("contracts/<int:pk>/revoke/", contracts.contract_revoke_view, name="contract_revoke"),
    path("contracts/<int:pk>/outputs/", outputs.contract_outputs, name="contract_outputs"),
    path("contracts/<int:pk>/outputs/submit/", outputs.output_submit_view, name="output_submit"),
    path("contracts/<int:contract_pk>/outputs/<int:pk>/file/", outputs.output_file, name="output_file"),
    path("contracts/<int:contract_pk>/outputs/<int:pk>/preview/", outputs.output_preview, name="output_preview"),
    path("verify/", licences.verify, name="verify"),
    path("verify/<str:code>/", licences.verify_code, name="verify_code"),
]

urlpatterns = request_urlpatterns + contract_urlpatterns
