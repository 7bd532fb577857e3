"""URLs of the usage_requests app: the request pages (``views.requests``,
``views.composer``, ``views.messages``), the contract pages
(``views.contracts``), the public licence check (``views.licences``) and
a creator's webhooks (``views.webhooks``)."""

from django.urls import path

from usage_requests.views import composer, contracts, licences, messages, output_reviews, outputs, requests, webhooks

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
    path("contracts/<int:contract_pk>/outputs/<int:pk>/labelled/", outputs.output_labelled, name="output_labelled"),
    path("contracts/<int:pk>/outputs/review/", output_reviews.outputs_review_view, name="outputs_review"),
    path(
        "contracts/<int:contract_pk>/outputs/<int:pk>/review/",
        output_reviews.output_review_view,
        name="output_review",
    ),
    path("verify/", licences.verify, name="verify"),
    # Before verify/<code>/: "outputs" is no licence code.
    path("verify/outputs/", licences.verify_outputs, name="verify_outputs"),
    path("verify/outputs/<str:sha256>/", licences.verify_output, name="verify_output"),
    path("verify/<str:code>/", licences.verify_code, name="verify_code"),
]

webhook_urlpatterns = [
    path("webhooks/", webhooks.webhooks, name="webhooks"),
    path("webhooks/<int:pk>/", webhooks.webhook_detail, name="webhook_detail"),
    path("webhooks/<int:pk>/test/", webhooks.webhook_test, name="webhook_test"),
    path("webhooks/<int:pk>/disable/", webhooks.webhook_disable, name="webhook_disable"),
    path("webhooks/<int:pk>/enable/", webhooks.webhook_enable, name="webhook_enable"),
    path("webhooks/<int:pk>/rotate-secret/", webhooks.webhook_rotate_secret, name="webhook_rotate_secret"),
    path("webhooks/<int:pk>/delete/", webhooks.webhook_delete, name="webhook_delete"),
    path("webhooks/<int:pk>/deliveries/<int:delivery_pk>/replay/", webhooks.webhook_replay, name="webhook_replay"),
]

urlpatterns = request_urlpatterns + contract_urlpatterns + webhook_urlpatterns
