"""Personal access tokens: the settings page, the token's life in the API
(created, used, revoked, stored hashed), session use with CSRF, and the
API's rate limits."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from marketplace.models import ApiToken, AuditEvent
from marketplace.services import MAX_ACTIVE_TOKENS, api_token_create

pytestmark = pytest.mark.django_db

PAGE = "/accounts/tokens/"
ME = "/api/v1/requests/"


def _client_with(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


# --- The page -----------------------------------------------------------------------


def test_token_page_sends_anonymous_visitors_to_sign_in(anonymous):
    response = anonymous.get(PAGE)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_creating_a_token_shows_its_key_once(login, creator):
    client = login(creator)
    response = client.post(PAGE, {"name": "render farm"})
    assert response.status_code == 200
    key = response.context["new_key"]
    assert key.startswith("cc_")
    assert len(key) > 40
    assert key in response.content.decode()
    token = ApiToken.objects.get(user=creator)
    assert token.name == "render farm"
    again = client.get(PAGE)
    assert key not in again.content.decode()
    assert "render farm" in again.content.decode()
    assert token.prefix in again.content.decode()


def test_the_database_never_holds_the_key(login, creator):
    key = login(creator).post(PAGE, {"name": "laptop"}).context["new_key"]
    token = ApiToken.objects.get(user=creator)
    assert token.key_hash != key
    assert len(token.key_hash) == 64
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM marketplace_apitoken")
        stored = " ".join(str(value) for row in cursor.fetchall() for value in row)
    assert key not in stored
    assert key[10:] not in stored  # not even the part after the displayed prefix


@pytest.mark.parametrize("name", ["", "   ", "bad\u202ename"])
def test_a_token_needs_a_plain_name(login, creator, name):
    response = login(creator).post(PAGE, {"name": name})
    assert response.status_code == 400
    assert response.context["form"].errors["name"]
    assert not ApiToken.objects.exists()


def test_active_tokens_are_capped(login, creator):
    for number in range(MAX_ACTIVE_TOKENS):
        api_token_create(user=creator, name=f"tool {number}")
    response = login(creator).post(PAGE, {"name": "one more"})
    assert response.status_code == 400
    assert ApiToken.objects.filter(user=creator).count() == MAX_ACTIVE_TOKENS


def test_creating_and_revoking_are_audited(login, creator):
    client = login(creator)
    client.post(PAGE, {"name": "ci"})
    token = ApiToken.objects.get(user=creator)
    client.post(f"/accounts/tokens/{token.pk}/revoke/")
    actions = list(AuditEvent.objects.filter(actor=creator).values_list("action", flat=True))
    assert AuditEvent.Action.TOKEN_CREATED in actions
    assert AuditEvent.Action.TOKEN_REVOKED in actions


def test_revoking_another_users_token_is_a_404(login, creator, other_creator):
    token, _key = api_token_create(user=other_creator, name="theirs")
    response = login(creator).post(f"/accounts/tokens/{token.pk}/revoke/")
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.is_active


def test_revoking_needs_a_post(login, creator):
    token, _key = api_token_create(user=creator, name="mine")
    assert login(creator).get(f"/accounts/tokens/{token.pk}/revoke/").status_code == 405
    token.refresh_from_db()
    assert token.is_active


def test_the_page_is_in_the_account_settings_menu(login, creator):
    response = login(creator).get("/accounts/email/")
    assert PAGE in response.content.decode()


# --- The token in use ---------------------------------------------------------------


def test_a_token_authenticates_and_records_its_last_use(creator, token_for):
    key = token_for(creator)
    token = ApiToken.objects.get(user=creator)
    assert token.last_used_at is None
    response = _client_with(key).get(ME, REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert token.last_used_ip == "198.51.100.7"


def test_last_use_moves_when_the_token_is_used_again_later(creator, token_for):
    key = token_for(creator)
    client = _client_with(key)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.get(ME)
    first = ApiToken.objects.get(user=creator).last_used_at
    with time_machine.travel(start + timedelta(seconds=20), tick=False):
        client.get(ME)
    # Within a minute the row is not written again.
    assert ApiToken.objects.get(user=creator).last_used_at == first
    with time_machine.travel(start + timedelta(minutes=5), tick=False):
        client.get(ME)
    assert ApiToken.objects.get(user=creator).last_used_at == first + timedelta(minutes=5)


def test_a_revoked_token_is_refused(login, creator, token_for):
    key = token_for(creator)
    client = _client_with(key)
    assert client.get(ME).status_code == 200
    token = ApiToken.objects.get(user=creator)
    login(creator).post(f"/accounts/tokens/{token.pk}/revoke/")
    response = client.get(ME)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert "revoked" in response.json()["detail"]


@pytest.mark.parametrize(
    "header",
    [
        "Token cc_unknown",
        "Token",
        "Token one two",
        "Token " + "x" * 500,
        "token cc_" + "A" * 43,
    ],
)
def test_unknown_or_malformed_tokens_are_a_401(creator, header):
    response = APIClient().get(ME, HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert "detail" in response.json()


def test_a_non_ascii_token_is_a_401_not_a_500(creator):
    response = APIClient().get(ME, HTTP_AUTHORIZATION="Token cc_密钥".encode().decode("latin-1"))
    assert response.status_code == 401


def test_no_credentials_is_a_401_with_the_scheme(api_client):
    response = api_client.get(ME)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_a_suspended_accounts_token_stops_working(creator, token_for):
    client = _client_with(token_for(creator))
    creator.suspended_at = timezone.now()
    creator.save(update_fields=["suspended_at"])
    assert client.get(ME).status_code == 401


def test_a_deactivated_accounts_token_stops_working(creator, token_for):
    client = _client_with(token_for(creator))
    creator.is_active = False
    creator.save(update_fields=["is_active"])
    assert client.get(ME).status_code == 401


def test_errors_follow_accept_language(creator):
    response = APIClient().get(ME, HTTP_AUTHORIZATION="Token cc_nope", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 401
    detail = response.json()["detail"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in detail)


# --- The browser session ------------------------------------------------------------


def test_the_session_works_for_reading(login, creator):
    assert login(creator).get(ME).status_code == 200


def test_a_session_write_without_csrf_is_refused(creator):
    client = Client(enforce_csrf_checks=True)
    client.force_login(creator)
    response = client.post(
        "/api/v1/projects/", {"title": "x", "category": "film", "territory": "cn_mainland"}, "application/json"
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_a_session_write_with_csrf_goes_through(creator):
    client = Client(enforce_csrf_checks=True)
    client.force_login(creator)
    client.get("/accounts/tokens/")
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/api/v1/projects/",
        {"title": "Night Market", "category": "film", "territory": "cn_mainland"},
        "application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 201


# --- Rate limits --------------------------------------------------------------------


def test_each_token_has_its_own_limit(settings, creator, token_for):
    settings.API_REQUESTS_PER_MINUTE_PER_TOKEN = 2
    first, second = _client_with(token_for(creator)), _client_with(token_for(creator, name="other"))
    assert [first.get(ME).status_code for _ in range(2)] == [200, 200]
    limited = first.get(ME)
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) >= 1
    assert "detail" in limited.json()
    assert second.get(ME).status_code == 200


def test_each_address_has_its_own_limit(settings, creator, token_for):
    settings.API_REQUESTS_PER_MINUTE_PER_ADDRESS = 2
    client = _client_with(token_for(creator))
    assert client.get(ME, REMOTE_ADDR="203.0.113.1").status_code == 200
    assert client.get(ME, REMOTE_ADDR="203.0.113.1").status_code == 200
    limited = client.get(ME, REMOTE_ADDR="203.0.113.1")
    assert limited.status_code == 429
    assert limited.has_header("Retry-After")
    assert client.get(ME, REMOTE_ADDR="203.0.113.2").status_code == 200


def test_anonymous_requests_count_against_the_address(settings, api_client):
    settings.API_REQUESTS_PER_MINUTE_PER_ADDRESS = 1
    assert api_client.get(ME).status_code == 401
    assert api_client.get(ME).status_code == 429
