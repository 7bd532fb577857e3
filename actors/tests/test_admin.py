"""The Django admin shows consent, verification and listing but never
changes them: only the services do, with a consent record and an audit row."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP

from actors.models import ActorProfile, ConsentRecord, VerificationStatus
from conftest import make_user
from marketplace.models import AuditEvent

pytestmark = pytest.mark.django_db

CONSENT_AND_LISTING = ["opted_in", "opted_in_at", "verification_status", "verified_at", "is_listed"]


@pytest.fixture
def staff_client(client):
    staff = make_user("staff@example.com", is_staff=True, is_superuser=True)
    TOTP.activate(staff, "JBSWY3DPEHPK3PXPJBSWY3DP")
    client.force_login(staff)
    return client


def change_url(profile: ActorProfile) -> str:
    return f"/admin/actors/actorprofile/{profile.pk}/change/"


def form_data(client, url: str, **overrides) -> dict:
    """What the change form would post as shown, with ``overrides``."""
    form = client.get(url).context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        data[name] = "" if value is None else value
    return {key: value for key, value in {**data, **overrides}.items() if value is not False}


def test_consent_verification_and_listing_are_read_only_in_the_admin(staff_client, actor):
    form = staff_client.get(change_url(actor.actor_profile)).context["adminform"].form
    assert not set(CONSENT_AND_LISTING) & set(form.fields)


def test_posting_consent_fields_through_the_admin_changes_nothing(staff_client, actor):
    profile = actor.actor_profile
    url = change_url(profile)
    data = form_data(
        staff_client, url, opted_in="on", verification_status=VerificationStatus.VERIFIED, headline="Edited by staff"
    )
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    profile.refresh_from_db()
    assert profile.headline == "Edited by staff"
    assert (profile.opted_in, profile.verification_status, profile.is_listed) == (
        False,
        VerificationStatus.UNVERIFIED,
        False,
    )
    assert not ConsentRecord.objects.filter(actor=profile).exists()
    assert not AuditEvent.objects.filter(action__startswith="consent.").exists()


def test_staff_cannot_add_an_actor_in_the_admin(staff_client):
    assert staff_client.get("/admin/actors/actorprofile/add/").status_code == 403
