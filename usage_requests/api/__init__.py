"""The API of requests (``requests``: requests, their moves, messages) and of
contracts and licences (``contracts``). ``portal.api`` mounts ``urlpatterns``."""

from usage_requests.api import contracts, requests

urlpatterns = requests.urlpatterns + contracts.urlpatterns
