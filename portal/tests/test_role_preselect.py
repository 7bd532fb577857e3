"""The landing's "Join as an actor/creator" buttons preselect the role
(issue 17): the role rides in sign-up's ``next`` through the emailed
confirmation to onboarding, where its card is already chosen."""

import html
import re

import pytest
from django.core import mail

from actors.models import ActorProfile

pytestmark = pytest.mark.django_db

PASSWORD = "Violet-Harbor-2931"
CONFIRMATION_LINK = re.compile(r"https?://[^\s<>\"']+(/accounts/confirm-email/[^\s<>\"'/]+/)")


def join_link(body: str, role: str) -> str:
    match = re.search(rf'href="([^"]+)" data-testid="join-{role}"', body)
    assert match is not None
    return html.unescape(match.group(1))


def checked_roles(body: str) -> list[str]:
    return re.findall(r'name="role" value="(\w+)" id="[^"]*" checked', body)


@pytest.mark.parametrize("role", ["actor", "creator"])
def test_a_landing_button_carries_its_role_through_sign_up_to_onboarding(client, role):
    signup_url = join_link(client.get("/").content.decode(), role)
    assert signup_url == f"/accounts/signup/?next=%2Fonboarding%2F%3Frole%3D{role}"
    signup_page = client.get(signup_url).content.decode()
    assert f'value="/onboarding/?role={role}"' in html.unescape(signup_page)

    email = f"new.{role}@example.com"
    response = client.post(
        signup_url,
        {"email": email, "password1": PASSWORD, "password2": PASSWORD, "next": f"/onboarding/?role={role}"},
    )
    assert response.status_code == 302
    (message,) = [sent for sent in mail.outbox if sent.to == [email]]
    confirm_path = CONFIRMATION_LINK.search(message.body).group(1)
    assert client.get(confirm_path).status_code == 200
    response = client.post(confirm_path)
    assert response.status_code == 302
    assert response.url == f"/onboarding/?role={role}"

    onboarding = client.get(response.url)
    assert onboarding.status_code == 200
    assert checked_roles(onboarding.content.decode()) == [role]


def test_onboarding_without_a_role_chooses_none(login, newcomer):
    response = login(newcomer).get("/onboarding/")
    assert checked_roles(response.content.decode()) == []


@pytest.mark.parametrize("value", ["moderator", "", "actor' onmouseover='x", "ACTOR", "%00"])
def test_onboarding_ignores_a_role_that_is_not_offered(login, newcomer, value):
    response = login(newcomer).get("/onboarding/", {"role": value})
    assert response.status_code == 200
    assert checked_roles(response.content.decode()) == []


def test_onboarding_does_not_preselect_a_role_the_user_already_holds(login, newcomer):
    ActorProfile.objects.create(user=newcomer, stage_name="Mira Solano", slug="mira-solano")
    response = login(newcomer).get("/onboarding/", {"role": "actor"})
    body = response.content.decode()
    assert 'value="actor"' not in body
    assert checked_roles(body) == []


def test_the_preselected_role_can_still_be_changed_before_continuing(login, newcomer):
    client = login(newcomer)
    response = client.post("/onboarding/?role=actor", {"role": "creator", "name": "Pixel Harbor Studio"})
    assert response.status_code == 302
    newcomer.refresh_from_db()
    assert hasattr(newcomer, "creator_profile")
    assert not ActorProfile.objects.filter(user=newcomer).exists()
