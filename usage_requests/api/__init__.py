"""The API of requests by subject (``requests``: the list, the detail and
sending; ``moves``: accept, decline, counter, withdraw; ``messages``: the
thread) and of contracts and licences (``contracts``), and the public
questions for tools (``public``: may I generate this, is this file an
approved output). ``portal.api`` mounts ``urlpatterns``."""

from usage_requests.api import contracts, messages, moves, public, requests

urlpatterns = (
    requests.urlpatterns + moves.urlpatterns + messages.urlpatterns + contracts.urlpatterns + public.urlpatterns
)
