"""Verified studios: the badge changes only through creator_verify and
creator_unverify (the moderators' user page), audited and told to the
creator; the admin shows it read-only."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP

from conftest import make_user
from creators.models import CreatorProfile
from marketplace.exceptions import InvalidTransition
from marketplace.models import AuditEvent, Notification
from moderation import notifications as kinds
from moderation.services import creator_unverify, creator_verify
from moderation.tests.conftest import TOTP_SECRET

pytestmark = pytest.mark.django_db


def studio_url(user) -> str:
    return f"/moderation/users/{user.pk}/studio/"


def verified(user) -> bool:
    return CreatorProfile.objects.get(user=user).is_verified


def audited(action: str, profile: CreatorProfile) -> bool:
    return AuditEvent.objects.filter(action=action, target=f"creators.creatorprofile:{profile.pk}").exists()


# --- The services --------------------------------------------------------------------


def test_verifying_a_studio_is_audited_and_told_to_the_creator(creator, mfa_moderator):
    profile = creator.creator_profile
    creator_verify(creator=profile, by=mfa_moderator, reason="Company registration checked.")
    assert verified(creator)
    event = AuditEvent.objects.get(action=AuditEvent.Action.CREATOR_VERIFIED)
    assert (event.actor, event.target) == (mfa_moderator, f"creators.creatorprofile:{profile.pk}")
    assert event.data == {"reason": "Company registration checked."}
    assert Notification.objects.filter(recipient=creator, kind=kinds.CREATOR_VERIFIED.key).exists()


def test_verifying_twice_is_refused_and_audited_once(creator, mfa_moderator):
    creator_verify(creator=creator.creator_profile, by=mfa_moderator)
    with pytest.raises(InvalidTransition):
        creator_verify(creator=CreatorProfile.objects.get(user=creator), by=mfa_moderator)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CREATOR_VERIFIED).count() == 1


def test_withdrawing_the_badge_needs_a_reason_the_creator_is_told(creator, mfa_moderator):
    profile = creator.creator_profile
    creator_verify(creator=profile, by=mfa_moderator)
    with pytest.raises(InvalidTransition):
        creator_unverify(creator=profile, by=mfa_moderator, reason="  ")
    assert verified(creator)
    creator_unverify(creator=profile, by=mfa_moderator, reason="The company was dissolved.")
    assert not verified(creator)
    assert audited(AuditEvent.Action.CREATOR_UNVERIFIED, profile)
    notice = Notification.objects.get(recipient=creator, kind=kinds.CREATOR_UNVERIFIED.key)
    assert notice.params == {"reason": "The company was dissolved."}


def test_withdrawing_from_an_unverified_studio_is_refused(creator, mfa_moderator):
    with pytest.raises(InvalidTransition):
        creator_unverify(creator=creator.creator_profile, by=mfa_moderator, reason="No longer trusted.")
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.CREATOR_UNVERIFIED).exists()


# --- The moderators' user page --------------------------------------------------------


def test_moderator_verifies_a_studio_from_the_user_page(moderator_client, creator):
    page = moderator_client.get(f"/moderation/users/{creator.pk}/").content.decode()
    assert studio_url(creator) in page
    response = moderator_client.post(studio_url(creator), {"studio-decision": "verify", "studio-reason": ""})
    assert response.status_code == 302
    assert verified(creator)
    assert audited(AuditEvent.Action.CREATOR_VERIFIED, creator.creator_profile)


def test_withdrawing_without_a_reason_on_the_page_is_409_and_changes_nothing(moderator_client, creator, mfa_moderator):
    creator_verify(creator=creator.creator_profile, by=mfa_moderator)
    response = moderator_client.post(studio_url(creator), {"studio-decision": "unverify", "studio-reason": ""})
    assert response.status_code == 409
    assert "Write the reason: the user is told it." in response.content.decode()
    assert verified(creator)


def test_bad_studio_decision_is_400(moderator_client, creator):
    response = moderator_client.post(studio_url(creator), {"studio-decision": "promote"})
    assert response.status_code == 400
    assert not verified(creator)


def test_user_without_a_creator_profile_has_no_studio_to_verify(moderator_client, actor):
    assert moderator_client.post(studio_url(actor), {"studio-decision": "verify"}).status_code == 404


@pytest.mark.parametrize("persona", ["anonymous", "actor", "other_creator"])
def test_outsiders_cannot_verify_a_studio(client, request, creator, persona):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    assert client.post(studio_url(creator), {"studio-decision": "verify"}).status_code == 404
    assert not verified(creator)


# --- The admin ------------------------------------------------------------------------


def test_the_admin_shows_the_badge_but_cannot_change_it(client, creator):
    staff = make_user("staff@example.com", is_staff=True, is_superuser=True)
    TOTP.activate(staff, TOTP_SECRET)
    client.force_login(staff)
    url = f"/admin/creators/creatorprofile/{creator.creator_profile.pk}/change/"
    form = client.get(url).context["adminform"].form
    assert "is_verified" not in form.fields
    data = {name: "" if form[name].value() is None else form[name].value() for name in form.fields}
    response = client.post(url, {**data, "is_verified": "on", "studio": "Lumen Studio"})
    assert response.status_code == 302
    profile = CreatorProfile.objects.get(user=creator)
    assert (profile.studio, profile.is_verified) == ("Lumen Studio", False)
    assert client.get("/admin/creators/creatorprofile/add/").status_code == 403
