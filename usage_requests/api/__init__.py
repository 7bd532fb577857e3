"""The API of requests by subject (``requests``: the list, the detail and
sending; ``moves``: accept, decline, counter, withdraw; ``messages``: the
thread), of contracts and licences (``contracts``) and of the actor's
review of generated outputs (``output_reviews``). ``portal.api`` mounts
``urlpatterns``."""

from usage_requests.api import contracts, messages, moves, output_reviews, requests

urlpatterns = (
    requests.urlpatterns + moves.urlpatterns + messages.urlpatterns + contracts.urlpatterns + output_reviews.urlpatterns
)
