"""Under /moderation/ an outsider (signed out, an actor, a creator) gets 404
whatever the method: a 405 would admit the workplace exists. Only a
moderator learns that a URL takes another method (405). Anonymous visitors
get the 404 too, as on every other moderation page (moderation.access)."""

import pytest
from django.urls import URLPattern

from moderation import urls

pytestmark = pytest.mark.django_db

# Every route under moderation/ with a path to try (ids need not exist: the
# role and the method are checked before anything is looked up).
POST_ONLY = {
    "moderation/claim/<slug:kind>/<int:pk>/": "/moderation/claim/verification/1/",
    "moderation/release/<slug:kind>/<int:pk>/": "/moderation/release/verification/1/",
    "moderation/users/<int:pk>/sanction/": "/moderation/users/1/sanction/",
    "moderation/users/<int:pk>/studio/": "/moderation/users/1/studio/",
    "moderation/verifications/<int:pk>/decide/": "/moderation/verifications/1/decide/",
    "moderation/disputes/<int:pk>/review/": "/moderation/disputes/1/review/",
    "moderation/disputes/<int:pk>/decide/": "/moderation/disputes/1/decide/",
    "moderation/reports/<int:pk>/decide/": "/moderation/reports/1/decide/",
    "moderation/photos/<int:pk>/decide/": "/moderation/photos/1/decide/",
}
GET_ONLY = {
    "moderation/": "/moderation/",
    "moderation/users/<int:pk>/": "/moderation/users/1/",
    "moderation/audit/": "/moderation/audit/",
    "moderation/verifications/": "/moderation/verifications/",
    "moderation/verifications/<int:pk>/": "/moderation/verifications/1/",
    "moderation/verifications/<int:pk>/<slug:which>/": "/moderation/verifications/1/selfie/",
    "moderation/disputes/": "/moderation/disputes/",
    "moderation/reports/": "/moderation/reports/",
    "moderation/reports/<int:pk>/": "/moderation/reports/1/",
    "moderation/photos/": "/moderation/photos/",
}
OUTSIDERS = ["anonymous", "actor", "creator"]


def signed_in_as(client, request, persona: str):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    return client


def test_every_moderation_route_is_checked_here():
    routes = {str(pattern.pattern) for pattern in urls.urlpatterns if isinstance(pattern, URLPattern)}
    assert {route for route in routes if route.startswith("moderation/")} == {*POST_ONLY, *GET_ONLY}


@pytest.mark.parametrize("persona", OUTSIDERS)
@pytest.mark.parametrize("path", POST_ONLY.values())
def test_outsiders_get_404_on_get_of_a_post_only_url(client, request, persona, path):
    assert signed_in_as(client, request, persona).get(path).status_code == 404


@pytest.mark.parametrize("persona", OUTSIDERS)
@pytest.mark.parametrize("path", GET_ONLY.values())
def test_outsiders_get_404_on_post_to_a_page(client, request, persona, path):
    assert signed_in_as(client, request, persona).post(path).status_code == 404


@pytest.mark.parametrize("path", POST_ONLY.values())
def test_moderator_gets_405_on_get_of_a_post_only_url(moderator_client, path):
    response = moderator_client.get(path)
    assert response.status_code == 405
    assert response["Allow"] == "POST"


@pytest.mark.parametrize("path", GET_ONLY.values())
def test_moderator_gets_405_on_post_to_a_page(moderator_client, path):
    assert moderator_client.post(path).status_code == 405
