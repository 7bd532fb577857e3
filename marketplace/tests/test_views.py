"""Pages of the platform core, seen from the browser: status, redirect, text, rows."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from actors.models import ActorProfile
from creators.models import CreatorProfile
from marketplace.models import AuditEvent, Notification
from marketplace.notifications import WELCOME_ACTOR, WELCOME_CREATOR
from marketplace.tests.factories import NotificationFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
UNREAD_BADGE = re.compile(r'data-testid="unread-count">\s*(\d+)\s*<')
OUTSIDE_ADDRESS = re.compile(r"""\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)
ROLE_RADIO = re.compile(r'name="role" value="(\w+)"')


def notification_rows(response) -> int:
    return response.content.decode().count('id="notification-')


def audit_events_besides_sign_in():
    """Audit rows other than the sign-in that ``force_login`` itself records."""
    return AuditEvent.objects.exclude(action="auth.login")


def both_roles(user):
    CreatorProfile.objects.create(user=user, display_name="Lin Studio")
    return user


# --- Anonymous visitors ---------------------------------------------------------


def test_anonymous_sees_landing_page_with_promises(anonymous):
    response = anonymous.get("/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "ConsentCast" in page
    assert "What we promise actors" in page
    assert "A veto on every shot" in page
    assert "Red lines we enforce" in page


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/onboarding/"),
        ("post", "/onboarding/"),
        ("get", "/notifications/"),
        ("get", "/notifications/badge/"),
        ("post", "/notifications/read-all/"),
    ],
)
def test_anonymous_is_sent_to_login_from_login_required_pages(anonymous, method, path):
    response = getattr(anonymous, method)(path)
    assert response.status_code == 302
    assert response.url == f"{LOGIN}?next={path}"


def test_anonymous_is_sent_to_login_from_notification_read(anonymous, actor):
    notification = NotificationFactory(recipient=actor)
    path = f"/notifications/{notification.pk}/read/"
    response = anonymous.post(path)
    assert response.status_code == 302
    assert response.url == f"{LOGIN}?next={path}"
    notification.refresh_from_db()
    assert notification.read_at is None


# --- Wrong method ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/"),
        ("put", "/onboarding/"),
        ("delete", "/onboarding/"),
        ("post", "/notifications/"),
        ("post", "/notifications/badge/"),
        ("get", "/notifications/read-all/"),
        ("get", "/notifications/{pk}/read/"),
        ("get", "/i18n/setlang/"),
        ("post", "/healthz"),
        ("post", "/readyz"),
    ],
)
def test_wrong_method_is_405(login, actor, method, path):
    notification = NotificationFactory(recipient=actor)
    client = login(actor)
    response = getattr(client, method)(path.format(pk=notification.pk))
    assert response.status_code == 405
    notification.refresh_from_db()
    assert notification.read_at is None


# --- Home -----------------------------------------------------------------------


def test_newcomer_is_sent_to_onboarding_from_home(login, newcomer):
    response = login(newcomer).get("/")
    assert response.status_code == 302
    assert response.url == "/onboarding/"


def test_actor_home_is_dashboard_with_latest_notifications(login, actor):
    NotificationFactory(recipient=actor, params={"name": "Maya"})
    response = login(actor).get("/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Lin Xiaoyu" in page
    assert "Welcome to ConsentCast, Maya" in page


def test_moderator_without_profile_is_not_sent_to_onboarding(login, moderator):
    response = login(moderator).get("/")
    assert response.status_code == 200
    assert "Moderators must use two-factor authentication" in response.content.decode()


# --- Onboarding -----------------------------------------------------------------


def test_newcomer_onboarding_form_lists_both_roles(login, newcomer):
    response = login(newcomer).get("/onboarding/")
    assert response.status_code == 200
    assert ROLE_RADIO.findall(response.content.decode()) == ["actor", "creator"]


def test_actor_onboarding_form_lists_only_creator_role(login, actor):
    response = login(actor).get("/onboarding/")
    assert response.status_code == 200
    assert ROLE_RADIO.findall(response.content.decode()) == ["creator"]


def test_creator_onboarding_form_lists_only_actor_role(login, creator):
    response = login(creator).get("/onboarding/")
    assert response.status_code == 200
    assert ROLE_RADIO.findall(response.content.decode()) == ["actor"]


def test_newcomer_becomes_actor_through_onboarding(login, newcomer):
    response = login(newcomer).post("/onboarding/", {"role": "actor", "name": "Maya Chen"})
    assert response.status_code == 302
    assert response.url == "/"
    profile = ActorProfile.objects.get(user=newcomer)
    assert profile.stage_name == "Maya Chen"
    assert profile.slug == "maya-chen"


def test_onboarding_collapses_whitespace_in_name(login, newcomer):
    login(newcomer).post("/onboarding/", {"role": "actor", "name": "  Maya \t  Chen  "})
    assert ActorProfile.objects.get(user=newcomer).stage_name == "Maya Chen"


def test_chinese_stage_name_gets_ascii_slug(login, newcomer):
    response = login(newcomer).post("/onboarding/", {"role": "actor", "name": "林晓雨"})
    assert response.status_code == 302
    profile = ActorProfile.objects.get(user=newcomer)
    assert profile.stage_name == "林晓雨"
    assert profile.slug
    assert profile.slug.isascii()
    assert re.fullmatch(r"[a-z0-9-]+", profile.slug)


def test_onboarding_writes_role_added_audit_event(login, newcomer):
    login(newcomer).post("/onboarding/", {"role": "actor", "name": "Maya Chen"}, HTTP_USER_AGENT="Firefox/128")
    event = AuditEvent.objects.get(action="role.added")
    assert event.actor == newcomer
    assert event.actor_email == "newcomer@example.com"
    assert event.data == {"role": "actor"}
    assert event.target == f"actors.actorprofile:{newcomer.actor_profile.pk}"
    assert event.user_agent == "Firefox/128"
    assert event.ip_address == "127.0.0.1"


def test_onboarding_sends_welcome_notification(login, newcomer):
    login(newcomer).post("/onboarding/", {"role": "actor", "name": "Maya Chen"})
    notification = Notification.objects.get(recipient=newcomer)
    assert notification.kind == WELCOME_ACTOR.key
    assert notification.title == "Welcome to ConsentCast, Maya Chen"
    assert notification.read_at is None


def test_onboarding_success_message_is_shown_on_home(login, newcomer):
    response = login(newcomer).post("/onboarding/", {"role": "actor", "name": "Maya Chen"}, follow=True)
    assert response.status_code == 200
    assert "Your actor profile is created" in response.content.decode()


def test_actor_can_add_creator_role(login, actor):
    response = login(actor).post("/onboarding/", {"role": "creator", "name": "Lin Studio"})
    assert response.status_code == 302
    assert response.url == "/"
    assert CreatorProfile.objects.get(user=actor).display_name == "Lin Studio"
    assert ActorProfile.objects.get(user=actor).stage_name == "Lin Xiaoyu"
    assert Notification.objects.get(recipient=actor).kind == WELCOME_CREATOR.key
    assert AuditEvent.objects.get(action="role.added").data == {"role": "creator"}


def test_user_with_both_roles_is_sent_home_from_onboarding(login, actor):
    response = login(both_roles(actor)).get("/onboarding/")
    assert response.status_code == 302
    assert response.url == "/"


def test_user_with_both_roles_cannot_post_onboarding(login, actor):
    both_roles(actor)
    response = login(actor).post("/onboarding/", {"role": "actor", "name": "Someone Else"})
    assert response.status_code == 302
    assert response.url == "/"
    assert ActorProfile.objects.get(user=actor).stage_name == "Lin Xiaoyu"
    assert not audit_events_besides_sign_in().exists()


@pytest.mark.parametrize(
    ("persona", "data"),
    [
        pytest.param("newcomer", {"name": "Maya Chen"}, id="missing-role"),
        pytest.param("newcomer", {"role": "actor", "name": "M"}, id="one-character-name"),
        pytest.param("newcomer", {"role": "actor", "name": " M  "}, id="one-character-name-padded"),
        pytest.param("newcomer", {"role": "actor", "name": "M" * 81}, id="81-character-name"),
        pytest.param("newcomer", {"role": "actor", "name": ""}, id="empty-name"),
        pytest.param("newcomer", {"role": "moderator", "name": "Maya Chen"}, id="unknown-role"),
        pytest.param("actor", {"role": "actor", "name": "Another Stage Name"}, id="role-already-held"),
    ],
)
def test_onboarding_bad_input_is_400_and_changes_nothing(request, login, persona, data):
    user = request.getfixturevalue(persona)
    profiles_before = list(ActorProfile.objects.values_list("user_id", "stage_name", "slug"))
    response = login(user).post("/onboarding/", data)
    assert response.status_code == 400
    assert "invalid-feedback" in response.content.decode()
    assert list(ActorProfile.objects.values_list("user_id", "stage_name", "slug")) == profiles_before
    assert not CreatorProfile.objects.exists()
    assert not user.groups.exists()
    assert not audit_events_besides_sign_in().exists()
    assert not Notification.objects.exists()


# --- Notifications list -----------------------------------------------------------


def test_notifications_list_shows_rendered_title(login, actor):
    NotificationFactory(recipient=actor, params={"name": "Maya"})
    response = login(actor).get("/notifications/")
    assert response.status_code == 200
    assert "Welcome to ConsentCast, Maya" in response.content.decode()


def test_notifications_list_hides_other_users_notifications(login, actor, other_actor):
    NotificationFactory(recipient=other_actor, params={"name": "Secret Sam"})
    response = login(actor).get("/notifications/")
    assert "Secret Sam" not in response.content.decode()
    assert notification_rows(response) == 0


def test_notifications_unread_filter_shows_only_unread(login, actor):
    NotificationFactory(recipient=actor, params={"name": "Still New"})
    NotificationFactory(recipient=actor, params={"name": "Seen Before"}, read_at=timezone.now())
    client = login(actor)

    everything = client.get("/notifications/").content.decode()
    assert "Still New" in everything
    assert "Seen Before" in everything

    unread = client.get("/notifications/?unread=1").content.decode()
    assert "Still New" in unread
    assert "Seen Before" not in unread


def test_notifications_paginate_25_per_page(login, actor):
    NotificationFactory.create_batch(30, recipient=actor)
    client = login(actor)
    first = client.get("/notifications/")
    second = client.get("/notifications/?page=2")
    assert notification_rows(first) == 25
    assert "Page 1 of 2" in first.content.decode()
    assert notification_rows(second) == 5
    assert "Page 2 of 2" in second.content.decode()


@pytest.mark.parametrize(
    ("page", "shown"),
    [("abc", "Page 1 of 2"), ("9999", "Page 2 of 2"), ("-1", "Page 2 of 2"), ("", "Page 1 of 2")],
)
def test_notifications_bad_page_number_falls_back_to_a_real_page(login, actor, page, shown):
    NotificationFactory.create_batch(30, recipient=actor)
    response = login(actor).get("/notifications/", {"page": page})
    assert response.status_code == 200
    assert shown in response.content.decode()


def _list_notifications(actor, count: int):
    profile = actor.actor_profile
    for index in range(count):
        # Half carry a target, so the generic-relation prefetch is exercised.
        NotificationFactory(recipient=actor, target=profile if index % 2 else None)


def test_notifications_list_query_count_is_bounded(login, actor, django_assert_max_num_queries):
    _list_notifications(actor, 30)
    client = login(actor)
    client.get("/notifications/")  # the first request of a session also records the session itself
    with django_assert_max_num_queries(11):
        response = client.get("/notifications/")
    assert notification_rows(response) == 25


def test_notifications_list_query_count_does_not_grow_with_notifications(login, actor):
    _list_notifications(actor, 5)
    client = login(actor)
    client.get("/notifications/")
    with CaptureQueriesContext(connection) as few:
        assert notification_rows(client.get("/notifications/")) == 5
    _list_notifications(actor, 25)
    with CaptureQueriesContext(connection) as many:
        assert notification_rows(client.get("/notifications/")) == 25
    assert len(many) == len(few)


# --- Marking notifications read ---------------------------------------------------


def test_mark_read_redirects_to_notifications(login, actor):
    notification = NotificationFactory(recipient=actor)
    response = login(actor).post(f"/notifications/{notification.pk}/read/")
    assert response.status_code == 302
    assert response.url == "/notifications/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_mark_read_follows_safe_next(login, actor):
    notification = NotificationFactory(recipient=actor)
    response = login(actor).post(f"/notifications/{notification.pk}/read/", {"next": "/notifications/?unread=1"})
    assert response.status_code == 302
    assert response.url == "/notifications/?unread=1"


def test_mark_read_with_open_redirects_to_notification_url(login, actor):
    notification = NotificationFactory(recipient=actor, url="/requests/7/")
    response = login(actor).post(f"/notifications/{notification.pk}/read/", {"open": "1"})
    assert response.status_code == 302
    assert response.url == "/requests/7/"
    notification.refresh_from_db()
    assert notification.read_at is not None


@pytest.mark.parametrize(
    "unsafe",
    ["https://evil.example/", "//evil.example/", "http://evil.example/notifications/", "javascript:alert(1)"],
)
def test_mark_read_does_not_follow_unsafe_next(login, actor, unsafe):
    notification = NotificationFactory(recipient=actor)
    response = login(actor).post(f"/notifications/{notification.pk}/read/", {"next": unsafe})
    assert response.status_code == 302
    assert response.url == "/notifications/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_mark_read_does_not_open_an_outside_notification_url(login, actor):
    notification = NotificationFactory(recipient=actor, url="https://evil.example/")
    response = login(actor).post(f"/notifications/{notification.pk}/read/", {"open": "1"})
    assert response.status_code == 302
    assert response.url == "/notifications/"


def test_mark_read_over_htmx_returns_partial_and_trigger(login, actor):
    notification = NotificationFactory(recipient=actor, params={"name": "Maya"})
    response = login(actor).post(f"/notifications/{notification.pk}/read/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Trigger"] == "notifications-changed"
    page = response.content.decode()
    assert "<html" not in page
    assert f'id="notification-{notification.pk}"' in page
    assert "Welcome to ConsentCast, Maya" in page
    assert "Mark as read" not in page
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_marking_another_users_notification_is_404_and_audited(login, actor, other_actor):
    notification = NotificationFactory(recipient=other_actor)
    path = f"/notifications/{notification.pk}/read/"
    response = login(actor).post(path)
    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None
    event = audit_events_besides_sign_in().get()
    assert event.action == "authz.denied"
    assert event.actor == actor
    assert event.data == {"path": path, "method": "POST", "status": 404}


def test_marking_another_users_notification_over_htmx_is_404(login, actor, other_actor):
    notification = NotificationFactory(recipient=other_actor)
    response = login(actor).post(f"/notifications/{notification.pk}/read/", headers={"HX-Request": "true"})
    assert response.status_code == 404
    assert "HX-Trigger" not in response
    notification.refresh_from_db()
    assert notification.read_at is None


def test_marking_nonexistent_notification_is_404_without_audit(login, actor):
    response = login(actor).post("/notifications/999999/read/")
    assert response.status_code == 404
    assert not audit_events_besides_sign_in().exists()


def test_mark_all_read_marks_only_callers_notifications(login, actor, other_actor):
    mine = NotificationFactory.create_batch(3, recipient=actor)
    theirs = NotificationFactory(recipient=other_actor)
    response = login(actor).post("/notifications/read-all/")
    assert response.status_code == 302
    assert response.url == "/notifications/"
    assert not Notification.objects.filter(pk__in=[n.pk for n in mine], read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_confirms_with_message(login, actor):
    NotificationFactory(recipient=actor)
    response = login(actor).post("/notifications/read-all/", follow=True)
    assert "All notifications marked as read." in response.content.decode()


# --- Unread badge -----------------------------------------------------------------


def test_navigation_badge_shows_unread_count(login, actor, other_actor):
    NotificationFactory.create_batch(3, recipient=actor)
    NotificationFactory(recipient=actor, read_at=timezone.now())
    NotificationFactory(recipient=other_actor)
    response = login(actor).get("/")
    assert UNREAD_BADGE.findall(response.content.decode()) == ["3"]


def test_navigation_badge_is_hidden_when_nothing_is_unread(login, actor):
    response = login(actor).get("/")
    assert response.status_code == 200
    assert UNREAD_BADGE.findall(response.content.decode()) == []


def test_badge_endpoint_returns_badge_fragment_with_count(login, actor):
    NotificationFactory.create_batch(2, recipient=actor)
    response = login(actor).get("/notifications/badge/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<html" not in page
    assert 'id="nav-notifications"' in page
    assert UNREAD_BADGE.findall(page) == ["2"]


def test_badge_drops_after_marking_one_read(login, actor):
    first, _second = NotificationFactory.create_batch(2, recipient=actor)
    client = login(actor)
    client.post(f"/notifications/{first.pk}/read/", headers={"HX-Request": "true"})
    assert UNREAD_BADGE.findall(client.get("/notifications/badge/").content.decode()) == ["1"]


# --- Language -------------------------------------------------------------------


def test_language_choice_is_saved_and_next_page_is_chinese(login, actor):
    client = login(actor)
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/notifications/"})
    assert response.status_code == 302
    assert response.url == "/notifications/"
    actor.refresh_from_db()
    assert actor.preferred_language == "zh-hans"
    assert '<html lang="zh-Hans"' in client.get("/notifications/").content.decode()


def test_saved_language_follows_user_to_a_new_browser(actor):
    first_browser = Client()
    first_browser.force_login(actor)
    first_browser.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    second_browser = Client(headers={"Accept-Language": "en"})
    second_browser.force_login(actor)
    assert '<html lang="zh-Hans"' in second_browser.get("/").content.decode()


def test_unknown_language_changes_nothing_and_redirects(login, actor):
    client = login(actor)
    response = client.post("/i18n/setlang/", {"language": "xx", "next": "/notifications/"})
    assert response.status_code == 302
    assert response.url == "/notifications/"
    actor.refresh_from_db()
    assert actor.preferred_language == "en"
    assert '<html lang="en"' in client.get("/notifications/").content.decode()


def test_unknown_language_does_not_follow_unsafe_next(login, actor):
    response = login(actor).post("/i18n/setlang/", {"language": "xx", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert response.url == "/"


def test_set_language_does_not_follow_unsafe_next(login, actor):
    response = login(actor).post("/i18n/setlang/", {"language": "zh-hans", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert response.url == "/"


def test_anonymous_language_choice_applies_to_next_page(anonymous):
    response = anonymous.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert response.status_code == 302
    assert '<html lang="zh-Hans"' in anonymous.get("/").content.decode()


def test_anonymous_chinese_browser_gets_chinese_page(client):
    response = client.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert response.status_code == 200
    assert '<html lang="zh-Hans"' in response.content.decode()


def test_user_preferred_language_beats_browser_language(login, other_actor):
    response = login(other_actor).get("/", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert '<html lang="zh-Hans"' in response.content.decode()


# --- Security headers and outside addresses ---------------------------------------


def test_home_sends_csp_with_nonce_used_by_page_scripts(anonymous):
    response = anonymous.get("/")
    policy = response["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy)
    assert nonce
    script_nonces = re.findall(r'<script\b[^>]*\bnonce="([^"]*)"', response.content.decode())
    assert script_nonces
    assert set(script_nonces) == {nonce.group(1)}
    assert "object-src 'none'" in policy
    assert "base-uri 'none'" in policy
    assert "frame-ancestors 'none'" in policy


def test_csp_nonce_differs_between_requests(anonymous):
    first = re.search(r"'nonce-([^']+)'", anonymous.get("/")["Content-Security-Policy"])
    second = re.search(r"'nonce-([^']+)'", anonymous.get("/")["Content-Security-Policy"])
    assert first.group(1) != second.group(1)


def test_home_sends_framing_sniffing_and_referrer_headers(anonymous):
    response = anonymous.get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/accounts/signup/"])
def test_anonymous_pages_load_nothing_from_outside(anonymous, path):
    response = anonymous.get(path)
    assert response.status_code == 200
    page = response.content.decode()
    assert "<html" in page
    assert OUTSIDE_ADDRESS.findall(page) == []


@pytest.mark.parametrize("path", ["/", "/notifications/", "/onboarding/", "/accounts/2fa/"])
def test_signed_in_pages_load_nothing_from_outside(login, actor, path):
    NotificationFactory(recipient=actor, url="/requests/7/")
    response = login(actor).get(path)
    assert response.status_code == 200
    page = response.content.decode()
    assert "<html" in page
    assert OUTSIDE_ADDRESS.findall(page) == []


def test_outside_address_pattern_catches_absolute_and_protocol_relative_links():
    # Guards the guard: the pattern above must match what it is meant to forbid.
    assert OUTSIDE_ADDRESS.search('<script src="https://cdn.example/x.js">')
    assert OUTSIDE_ADDRESS.search("<link href='//fonts.example/css'>")
    assert OUTSIDE_ADDRESS.search("<img SRC=http://x.example/a.png>")
    assert not OUTSIDE_ADDRESS.search('<a href="/accounts/login/">')


# --- Error pages ----------------------------------------------------------------


def test_unknown_url_renders_site_404_page(anonymous):
    response = anonymous.get("/no-such-page/")
    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]
    page = response.content.decode()
    assert 'aria-label="Main navigation"' in page
    assert "There is nothing here" in page


def test_csrf_failure_renders_form_expired_page_and_is_audited(newcomer):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(newcomer)
    response = browser.post("/onboarding/", {"role": "actor", "name": "Maya Chen"})
    assert response.status_code == 403
    assert "403_csrf.html" in [t.name for t in response.templates]
    assert "This form has expired" in response.content.decode()
    assert not ActorProfile.objects.filter(user=newcomer).exists()
    event = audit_events_besides_sign_in().get()
    assert event.action == "authz.denied"
    assert event.actor == newcomer
    assert event.target == "/onboarding/"
    assert event.data == {"method": "POST", "status": 403}


# --- Health ---------------------------------------------------------------------


def test_healthz_says_ok(anonymous):
    response = anonymous.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]


def test_readyz_reports_every_part_ok(anonymous):
    response = anonymous.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "broker": "ok"},
        "failing": [],
    }


# --- Hostile headers on pages that audit --------------------------------------------


@pytest.mark.parametrize(
    "forwarded_for",
    ["not-an-ip", ", , ,", "999.999.999.999", "1.2.3.4, <script>", "::::::", "a" * 2000, "\x00"],
    ids=["word", "empty-hops", "out-of-range", "markup", "colons", "2000-chars", "nul"],
)
def test_garbage_forwarded_for_is_audited_with_remote_address(settings, login, actor, other_actor, forwarded_for):
    settings.NUM_PROXIES = 1
    notification = NotificationFactory(recipient=other_actor)
    response = login(actor).post(f"/notifications/{notification.pk}/read/", headers={"X-Forwarded-For": forwarded_for})
    assert response.status_code == 404
    event = AuditEvent.objects.get(action="authz.denied")
    assert event.ip_address == "127.0.0.1"


def test_forwarded_for_from_our_proxy_is_audited(settings, login, newcomer):
    settings.NUM_PROXIES = 1
    response = login(newcomer).post(
        "/onboarding/", {"role": "actor", "name": "Maya Chen"}, headers={"X-Forwarded-For": "6.6.6.6, 203.0.113.9"}
    )
    assert response.status_code == 302
    assert AuditEvent.objects.get(action="role.added").ip_address == "203.0.113.9"


def test_very_long_user_agent_is_audited_truncated(login, newcomer):
    response = login(newcomer).post(
        "/onboarding/", {"role": "actor", "name": "Maya Chen"}, headers={"User-Agent": "Mozilla/5.0 " + "x" * 2000}
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="role.added")
    assert event.user_agent.startswith("Mozilla/5.0 x")
    assert len(event.user_agent) == 300


def test_onboarding_empty_post_shows_the_form_errors(login, newcomer):
    client = login(newcomer)
    response = client.post("/onboarding/", {})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


@pytest.mark.parametrize(
    ("method", "path", "data", "expected"),
    [
        ("post", "/notifications/999999999999999999999999999999/read/", {}, 404),
        ("get", "/notifications/?page=99999999999999999999999999", {}, 200),
        ("post", "/i18n/setlang/", {"language": "zh-hans", "next": "\x00\n"}, 302),
        ("post", "/onboarding/", {"role": ["actor", "creator"], "name": "\x00abc"}, 400),
        ("post", "/onboarding/", {"role": "actor", "name": "Maya\u0007"}, 400),
        ("post", "/onboarding/", {"role": "actor", "name": "Maya\u202eakO"}, 400),
    ],
)
def test_hostile_input_gets_a_clear_answer_never_a_500(login, newcomer, method, path, data, expected):
    client = login(newcomer)
    response = getattr(client, method)(path, data, HTTP_ACCEPT_LANGUAGE="zh-CN;q=abc,,,;;")
    assert response.status_code == expected
    assert not ActorProfile.objects.filter(user=newcomer).exists()


def test_a_new_notification_reads_just_now_and_an_old_one_its_age(login, actor):
    from datetime import timedelta

    NotificationFactory(recipient=actor, params={"name": "Fresh"})
    old = NotificationFactory(recipient=actor, params={"name": "Old"})
    Notification.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=3))
    page = login(actor).get("/notifications/").content.decode()
    assert "just now" in page
    assert "3\xa0hours ago" in page


def test_dashboard_query_count_is_fixed(login, actor, django_assert_max_num_queries):
    NotificationFactory.create_batch(12, recipient=actor)
    client = login(actor)
    client.get("/")  # the first request of a session also records the session
    # session, user, allauth's session activity (select, user, update and its
    # savepoint pair), roles + unread in one query, the profile, the latest
    # notifications. Not one more per notification.
    with django_assert_max_num_queries(10):
        response = client.get("/")
    assert response.status_code == 200
    assert response.content.decode().count("notification-unread") == 5


def test_moderator_dashboard_asks_for_two_factor_until_it_is_set_up(login, moderator):
    from allauth.mfa.models import Authenticator

    client = login(moderator)
    assert "Set up an authenticator app" in client.get("/").content.decode()
    Authenticator.objects.create(user=moderator, type=Authenticator.Type.TOTP, data={"secret": "x"})
    page = client.get("/").content.decode()
    assert "Two-factor authentication is on." in page
    assert "Set up an authenticator app" not in page


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_server_error_page_renders_without_a_request(language):
    from django.template.loader import render_to_string
    from django.utils import translation

    with translation.override(language):
        page = render_to_string("500.html")
    expected = {"en": "Something went wrong on our side", "zh-hans": "我们这边出了问题"}[language]
    assert expected in page
