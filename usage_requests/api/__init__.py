"""The API of requests by subject (``requests``: the list, the detail and
sending; ``moves``: accept, decline, counter, withdraw; ``messages``: the
thread), of contracts and licences (``contracts``), of a contract's
generated outputs (``outputs``: the list and submission; ``output_reviews``:
the actor's verdicts; ``output_labels``: the labelled copy), creators'
webhooks (``webhooks``), and the public questions for tools (``public``:
may I generate this, is this file an approved output). ``portal.api``
mounts ``urlpatterns``."""

from usage_requests.api import (
    contracts,
    messages,
    moves,
    output_labels,
    output_reviews,
    outputs,
    public,
    requests,
    webhooks,
)

urlpatterns = (
    requests.urlpatterns
    + moves.urlpatterns
    + messages.urlpatterns
    + contracts.urlpatterns
    + outputs.urlpatterns
    + output_reviews.urlpatterns
    + output_labels.urlpatterns
    + webhooks.urlpatterns
    + public.urlpatterns
)
