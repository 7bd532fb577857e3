"""The API of requests by subject (``requests``: the list, the detail and
sending; ``moves``: accept, decline, counter, withdraw; ``messages``: the
thread) and of contracts and licences (``contracts``), and of a contract's
generated outputs (``outputs``). ``portal.api`` mounts
``urlpatterns``."""

from usage_requests.api import contracts, messages, moves, outputs, requests

urlpatterns = (
    requests.urlpatterns + moves.urlpatterns + messages.urlpatterns + contracts.urlpatterns + outputs.urlpatterns
)
