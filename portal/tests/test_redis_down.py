"""With Redis down the portal keeps answering: sign-in, the API, the public
licence check and page moves (issue "Keep working when a part fails").
The cache is Redis on a port nobody listens on, behind the portal's
failover backend (marketplace.cache); the database is the test's own."""

import pytest
from django.conf import settings
from django.test import Client, override_settings

from usage_requests.models import RequestStatus
from usage_requests.tests.factories import active_contract, open_actor, send_request

pytestmark = pytest.mark.django_db

DEAD_REDIS = {
    "default": {
        "BACKEND": "marketplace.cache.FailoverRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    },
    # Each process's own memory, as in every settings module (base.py).
    "local": settings.LOCAL_CACHE,
}


@pytest.fixture
def browser():
    # A 500 is an answer here, not an exception that stops the test.
    return Client(raise_request_exception=False)


@override_settings(CACHES=DEAD_REDIS)
def test_sign_in_works_with_the_right_password_and_refuses_a_wrong_one(browser, actor):
    wrong = browser.post("/accounts/login/", {"login": actor.email, "password": "wrong password"})
    assert wrong.status_code == 200
    assert "_auth_user_id" not in browser.session
    right = browser.post("/accounts/login/", {"login": actor.email, "password": "correct horse battery"})
    assert right.status_code == 302
    assert browser.session["_auth_user_id"] == str(actor.pk)


@override_settings(CACHES=DEAD_REDIS)
def test_failed_sign_ins_are_still_limited(browser, actor):
    for n in range(5):
        browser.post("/accounts/login/", {"login": actor.email, "password": f"wrong-{n}"})
    response = browser.post("/accounts/login/", {"login": actor.email, "password": "correct horse battery"})
    assert "_auth_user_id" not in browser.session
    assert "Too many failed login attempts" in response.content.decode()


@override_settings(CACHES=DEAD_REDIS)
def test_the_api_answers(creator, actor, token_for):
    open_actor(actor.actor_profile)
    api = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Token {token_for(creator)}")
    response = api.get("/api/v1/actors/")
    assert response.status_code == 200
    assert response.json()["results"]


@override_settings(CACHES=DEAD_REDIS)
def test_the_public_licence_check_answers(browser, actor, creator):
    contract = active_contract(actor=open_actor(actor.actor_profile), creator=creator.creator_profile)
    assert browser.get(f"/verify/{contract.licence_code}/").status_code == 200
    assert browser.get(f"/api/v1/licenses/{contract.licence_code}/").status_code == 200


@override_settings(CACHES=DEAD_REDIS)
def test_a_page_move_commits(browser, actor, creator):
    pending = send_request(actor=open_actor(actor.actor_profile), creator=creator.creator_profile)
    browser.force_login(creator)
    response = browser.post(f"/requests/{pending.pk}/withdraw/")
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == RequestStatus.WITHDRAWN
