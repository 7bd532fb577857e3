"""Sign-in limits that protect an account without locking its owner out,
and client addresses that follow NUM_PROXIES everywhere (allauth included)."""

import pytest
from allauth.usersessions.models import UserSession
from django.test import override_settings

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"
ATTACKER = "198.51.100.66"
OWNER = "203.0.113.9"


def sign_in(client, email: str, password: str, **headers):
    return client.post("/accounts/login/", {"login": email, "password": password}, **headers)


def test_wrong_passwords_from_one_address_do_not_lock_the_owner_out_elsewhere(client, actor):
    for n in range(5):
        sign_in(client, actor.email, f"wrong-{n}", REMOTE_ADDR=ATTACKER)
    refused = sign_in(client, actor.email, PASSWORD, REMOTE_ADDR=ATTACKER)
    assert "Too many failed login attempts" in refused.content.decode()
    assert "_auth_user_id" not in client.session

    response = sign_in(client, actor.email, PASSWORD, REMOTE_ADDR=OWNER)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(actor.pk)


@override_settings(ACCOUNT_RATE_LIMITS={"login_failed": "10/m/ip,5/5m/key", "login_account": "3/h/key"})
def test_an_attack_spread_over_many_addresses_meets_the_account_wide_limit(client, actor):
    for n in range(3):
        sign_in(client, actor.email, f"wrong-{n}", REMOTE_ADDR=f"198.51.100.{n + 1}")
    response = sign_in(client, actor.email, PASSWORD, REMOTE_ADDR=OWNER)
    assert "_auth_user_id" not in client.session
    assert "Too many failed login attempts" in response.content.decode()


def test_a_locked_out_owner_can_sign_in_with_a_code_by_email(client, actor):
    response = client.get("/accounts/login/")
    assert "/accounts/login/code/" in response.content.decode()
    assert client.get("/accounts/login/code/").status_code == 200


@override_settings(NUM_PROXIES=1, ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_behind_a_proxy_each_client_has_its_own_failed_sign_in_count(client, actor, other_actor):
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for n in range(10):
        sign_in(client, f"nobody{n}@example.com", "wrong", HTTP_X_FORWARDED_FOR=ATTACKER, **proxy)
    response = sign_in(client, other_actor.email, PASSWORD, HTTP_X_FORWARDED_FOR=OWNER, **proxy)
    assert response.status_code == 302


@override_settings(NUM_PROXIES=1, ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_the_sessions_list_shows_the_clients_address_not_the_proxys(client, actor):
    sign_in(client, actor.email, PASSWORD, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=f"192.0.2.1, {OWNER}")
    assert UserSession.objects.get(user=actor).ip == OWNER


@override_settings(NUM_PROXIES=2, ALLAUTH_TRUSTED_PROXY_COUNT=2)
def test_a_forwarded_for_header_shorter_than_the_proxy_count_is_not_a_500(client, actor):
    response = sign_in(client, actor.email, PASSWORD, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=OWNER)
    assert response.status_code == 302


def test_allauth_trusts_as_many_proxies_as_the_portal(settings):
    assert settings.ALLAUTH_TRUSTED_PROXY_COUNT == settings.NUM_PROXIES


def test_the_failed_sign_in_count_does_not_depend_on_the_host_named(client, actor, settings):
    # allauth keys its count by the request's host too: cycling through the
    # allowed names (or two web processes behind different names) split it.
    settings.ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
    for n in range(5):
        sign_in(client, actor.email, f"wrong-{n}", REMOTE_ADDR=ATTACKER, HTTP_HOST=settings.ALLOWED_HOSTS[n % 3])
    refused = sign_in(client, actor.email, PASSWORD, REMOTE_ADDR=ATTACKER, HTTP_HOST="localhost")
    assert "Too many failed login attempts" in refused.content.decode()
    assert "_auth_user_id" not in client.session
