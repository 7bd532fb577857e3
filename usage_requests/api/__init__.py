"""The API of requests by subject (``requests``: the list, the detail and
sending; ``moves``: accept, decline, counter, withdraw; ``messages``: the
thread) and of contracts and licences (``contracts``). ``portal.api`` mounts
``urlpatterns``."""

from usage_requests.api import contracts, messages, moves, requests, webhooks

urlpatterns = (
    requests.urlpatterns + moves.urlpatterns + messages.urlpatterns + contracts.urlpatterns + webhooks.urlpatterns
)
