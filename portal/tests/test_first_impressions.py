"""Issue 17 "First impressions" on the top floor: the landing page's licence
check, the navigation per role, and the dashboard checklist's review state."""

import re

import pytest

from actors.models import ActorProfile, VerificationStatus

pytestmark = pytest.mark.django_db


def page(response) -> str:
    return response.content.decode()


# --- Landing --------------------------------------------------------------------------


def test_the_landing_page_has_the_licence_check_box(anonymous):
    body = page(anonymous.get("/"))
    form = re.search(r'<form method="get" action="/verify/".*?</form>', body, flags=re.S)
    assert form is not None
    assert 'name="code"' in form.group(0)
    assert "How to check a licence" in body
    for reader in ("Fans", "Press", "Platforms"):
        assert f"> {reader}</h3>" in body
    assert 'href="/verify/"' in body


def test_the_landing_box_takes_a_typed_code_to_its_licence_page(anonymous):
    response = anonymous.get("/verify/", {"code": " cc 2345 6789 abcd "})
    assert response.status_code == 302
    assert response.url == "/verify/CC-2345-6789-ABCD/"


@pytest.mark.parametrize(
    ("code", "error"),
    [("", "Enter a licence code"), ("hello", "This is not a licence code."), ("CC-0000-0000-0000", "not a licence")],
)
def test_empty_or_malformed_input_from_the_landing_box_is_a_clear_error(anonymous, code, error):
    response = anonymous.get("/verify/", {"code": code})
    assert response.status_code == 400
    assert error in page(response)
    assert 'name="code"' in page(response)


def test_the_landing_page_in_chinese_has_the_check_box(anonymous):
    body = page(anonymous.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans"))
    assert "如何查验许可" in body
    assert 'action="/verify/"' in body


# --- Navigation -----------------------------------------------------------------------


def nav(client) -> str:
    body = page(client.get("/notifications/"))
    return re.search(r'<nav class="navbar.*?</nav>', body, flags=re.S).group(0)


def test_the_navigation_collapses_below_768_px_and_keeps_rare_links_in_the_account_menu(login, actor):
    bar = nav(login(actor))
    assert "navbar-expand-md" in bar
    assert 'data-bs-toggle="collapse"' in bar
    menu = re.search(r'data-testid="nav-account-menu">.*?</ul>', bar, flags=re.S).group(0)
    for link in ("/accounts/tokens/", "/actors/me/", "/actors/me/access/", "/accounts/email/"):
        assert f'href="{link}"' in menu, link


def test_signed_in_users_find_their_api_tokens(login, actor, creator):
    for user in (actor, creator):
        assert 'href="/accounts/tokens/"' in nav(login(user))


def test_creators_find_their_own_profile(login, creator, actor):
    assert 'href="/creators/me/"' in nav(login(creator))
    assert 'href="/creators/me/"' not in nav(login(actor))


def test_visitors_find_the_licence_check_in_the_navigation(anonymous):
    body = page(anonymous.get("/"))
    bar = re.search(r'<nav class="navbar.*?</nav>', body, flags=re.S).group(0)
    assert 'href="/verify/"' in bar


# --- Dashboard checklist --------------------------------------------------------------


def identity_step(body: str) -> str:
    return re.search(r'<li[^>]*data-step="verified".*?</li>', body, flags=re.S).group(0)


def test_the_identity_step_reads_pending_review_once_submitted(login, actor):
    ActorProfile.objects.filter(user=actor).update(verification_status=VerificationStatus.PENDING)
    step = identity_step(page(login(actor).get("/")))
    assert "Pending review" in step
    assert "To do" not in step
    assert 'data-pending="true"' in step


@pytest.mark.parametrize(
    ("status", "badge"),
    [(VerificationStatus.UNVERIFIED, "To do"), (VerificationStatus.REJECTED, "To do"), ("verified", "Done")],
)
def test_the_identity_step_otherwise_reads_to_do_or_done(login, actor, status, badge):
    ActorProfile.objects.filter(user=actor).update(verification_status=status)
    step = identity_step(page(login(actor).get("/")))
    assert badge in step
    assert "Pending review" not in step
