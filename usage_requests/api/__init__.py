"""The API of requests by subject (``requests``: the list, the detail and
sending; ``moves``: accept, decline, counter, withdraw; ``messages``: the
thread), of contracts and licences (``contracts``), of a contract's
generated outputs (``outputs``: the list and submission; ``output_reviews``:
the actor's verdicts; ``output_labels``: the labelled copy), creators'
webhooks (``webhooks``), and the public questions for tools (``public``:
may I generate this, is this file an approved output). ``portal.api``
mounts ``urlpatterns``."""

from functools import partial

from django.urls import path

from marketplace.lazy_views import lazy_view

# Each view is imported on its first request (marketplace.lazy_views): a
# worker links to these routes without loading DRF or the schema generator.
view = partial(lazy_view, package=__name__)

urlpatterns = [
    path("requests/", view("requests.RequestList"), name="request-list"),
    path("requests/<int:pk>/", view("requests.RequestDetail"), name="request-detail"),
    path("requests/<int:pk>/accept", view("moves.RequestAccept"), name="request-accept"),
    path("requests/<int:pk>/decline", view("moves.RequestDecline"), name="request-decline"),
    path("requests/<int:pk>/counter", view("moves.RequestCounter"), name="request-counter"),
    path(
        "requests/<int:pk>/accept-counter",
        view("moves.RequestAcceptCounter"),
        name="request-accept-counter",
    ),
    path("requests/<int:pk>/withdraw", view("moves.RequestWithdraw"), name="request-withdraw"),
    path("requests/<int:pk>/messages/", view("messages.RequestMessages"), name="request-messages"),
    path("contracts/", view("contracts.ContractList"), name="contract-list"),
    path("contracts/<int:pk>/", view("contracts.ContractDetail"), name="contract-detail"),
    path("contracts/<int:pk>/sign", view("contracts.ContractSign"), name="contract-sign"),
    path("licenses/<str:code>/", view("contracts.LicenceDetail"), name="licence-detail"),
    path("contracts/<int:pk>/outputs/", view("outputs.ContractOutputs"), name="contract-outputs"),
    path(
        "contracts/<int:pk>/outputs/<int:output_id>/",
        view("outputs.ContractOutputDetail"),
        name="contract-output-detail",
    ),
    path(
        "contracts/<int:pk>/outputs/<int:output_pk>/approve",
        view("output_reviews.OutputApprove"),
        name="output-approve",
    ),
    path(
        "contracts/<int:pk>/outputs/<int:output_pk>/reject",
        view("output_reviews.OutputReject"),
        name="output-reject",
    ),
    path(
        "contracts/<int:pk>/outputs/review",
        view("output_reviews.OutputsReview"),
        name="outputs-review",
    ),
    path(
        "contracts/<int:pk>/outputs/<int:output_id>/labelled",
        view("output_labels.OutputLabelled"),
        name="output-labelled",
    ),
    path("webhooks/", view("webhooks.WebhookList"), name="webhook-list"),
    path("webhooks/<int:pk>/", view("webhooks.WebhookDetail"), name="webhook-detail"),
    path(
        "webhooks/<int:pk>/deliveries/",
        view("webhooks.WebhookDeliveries"),
        name="webhook-deliveries",
    ),
    path(
        "webhooks/<int:pk>/deliveries/<int:delivery_id>/replay",
        view("webhooks.WebhookReplay"),
        name="webhook-replay",
    ),
    path("licenses/<str:code>/check", view("public.LicenceCheck"), name="licence-check"),
    path("outputs/<str:sha256>/", view("public.OutputDetail"), name="output-detail"),
]
