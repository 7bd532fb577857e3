"""Accounts: email login, mandatory verification, audit of sign-in events, admin behind allauth."""

import pytest
from django.core import mail

from marketplace.models import AuditEvent, User

pytestmark = pytest.mark.django_db


def test_failed_login_is_audited_with_address_and_ip(client, actor):
    response = client.post(
        "/accounts/login/", {"login": actor.email, "password": "wrong password"}, REMOTE_ADDR="192.0.2.44"
    )
    assert response.status_code == 200
    event = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN_FAILED)
    assert event.actor == actor
    assert event.ip_address == "192.0.2.44"
    assert "wrong password" not in str(event.data) + event.target


def test_failed_login_for_unknown_address_is_audited_without_user(client):
    client.post("/accounts/login/", {"login": "nobody@example.com", "password": "whatever123"})
    event = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN_FAILED)
    assert event.actor is None
    assert event.target == "login:nobody@example.com"


def test_successful_login_is_audited_and_sends_newcomer_to_onboarding(client, newcomer):
    response = client.post("/accounts/login/", {"login": newcomer.email, "password": "correct horse battery"})
    assert response.status_code == 302
    assert response["Location"] == "/onboarding/"
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN, actor=newcomer).exists()


def test_login_of_user_with_a_role_lands_on_dashboard(client, creator):
    response = client.post("/accounts/login/", {"login": creator.email, "password": "correct horse battery"})
    assert response["Location"] == "/"


def test_signup_requires_email_verification_before_login(client):
    response = client.post(
        "/accounts/signup/",
        {"email": "new@example.com", "password1": "Violet-Harbor-2931", "password2": "Violet-Harbor-2931"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert len(mail.outbox) == 1
    assert "/accounts/confirm-email/" in mail.outbox[0].body
    # Not signed in until the address is confirmed.
    assert client.get("/notifications/").status_code == 302


def test_signup_in_chinese_stores_chinese_as_preferred_language(client):
    client.post(
        "/accounts/signup/",
        {"email": "zh@example.com", "password1": "Violet-Harbor-2931", "password2": "Violet-Harbor-2931"},
        HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9",
    )
    assert User.objects.get(email="zh@example.com").preferred_language == "zh-hans"
    assert "确认" in mail.outbox[0].subject or "邮箱" in mail.outbox[0].subject


def test_signup_rejects_short_password_and_creates_nothing(client):
    response = client.post(
        "/accounts/signup/", {"email": "short@example.com", "password1": "Ab3$xyz12", "password2": "Ab3$xyz12"}
    )
    assert response.status_code == 200
    assert "at least 10 characters" in response.content.decode()
    assert not User.objects.filter(email="short@example.com").exists()
    assert mail.outbox == []


def test_signup_with_a_username_field_is_not_offered(client):
    assert b'name="username"' not in client.get("/accounts/signup/").content


def test_admin_login_goes_through_allauth(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_staff_user_with_an_authenticator_reaches_the_admin(client):
    from moderation.tests.conftest import give_totp

    staff = User.objects.create_user(email="staff@example.com", password="x" * 12, is_staff=True, is_superuser=True)
    give_totp(staff)
    client.force_login(staff)
    assert client.get("/admin/").status_code == 200


def test_staff_user_without_an_authenticator_is_sent_to_set_one_up(client):
    staff = User.objects.create_user(email="staff@example.com", password="x" * 12, is_staff=True, is_superuser=True)
    client.force_login(staff)
    response = client.get("/admin/auth/group/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/?next=%2Fadmin%2Fauth%2Fgroup%2F"


def test_repeated_login_failures_lock_the_account_out_for_a_while(client, actor):
    for n in range(5):
        client.post("/accounts/login/", {"login": actor.email, "password": f"wrong-{n}"})
    response = client.post("/accounts/login/", {"login": actor.email, "password": "correct horse battery"})
    assert "_auth_user_id" not in client.session
    assert "Too many failed login attempts" in response.content.decode()


def test_rate_limited_request_gets_the_429_page(client):
    from django.test import override_settings

    with override_settings(ACCOUNT_RATE_LIMITS={"signup": "2/m/ip"}):
        for n in range(2):
            client.post("/accounts/signup/", {"email": f"n{n}@example.com", "password1": "a", "password2": "a"})
        response = client.post("/accounts/signup/", {"email": "n9@example.com", "password1": "a", "password2": "a"})
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()


def test_login_speaks_the_accounts_language_at_once(client, other_actor):
    response = client.post(
        "/accounts/login/", {"login": other_actor.email, "password": "correct horse battery"}, follow=True
    )
    page = response.content.decode()
    assert '<html lang="zh-Hans"' in page
    assert "Successfully signed in" not in page
