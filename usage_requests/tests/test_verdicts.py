"""One verdict vocabulary (issue 17): ``verdict_of`` decides, and the contract
pages, /verify/, the licence API, the notifications and their emails all say
the same thing. A signed contract whose term has not started is never shown
as in force."""

from datetime import timedelta

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone, translation

from marketplace.models import Notification
from marketplace.notifications import kind_for
from usage_requests.models import Contract, ContractStatus
from usage_requests.services import contract_reinstate, contract_revoke, contract_suspend, contract_void
from usage_requests.services.contracts import contract_expire_unsigned
from usage_requests.tests.factories import accepted_contract, active_contract, open_actor
from usage_requests.verdicts import VerdictKey, verdict_guide, verdict_of

pytestmark = pytest.mark.django_db


def later_terms(days: int = 10) -> dict:
    start = timezone.localdate() + timedelta(days=days)
    return {"term_start": start, "term_end": start + timedelta(days=90)}


@pytest.fixture
def starts_later(actor, creator) -> Contract:
    """Signed by both; its term starts in ten days."""
    return active_contract(actor=open_actor(actor.actor_profile), creator=creator.creator_profile, **later_terms())


@pytest.fixture
def in_force(actor, creator) -> Contract:
    """Signed by both; its term starts today."""
    return active_contract(actor=open_actor(actor.actor_profile), creator=creator.creator_profile)


def page(response) -> str:
    return response.content.decode()


# --- The helper ----------------------------------------------------------------------


def test_every_verdict_has_its_own_colour_and_only_in_force_is_valid_or_green():
    guide = verdict_guide()
    assert [verdict.key for verdict in guide] == list(VerdictKey.ALL)
    assert len({verdict.colour for verdict in guide}) == len(guide)
    assert [verdict.key for verdict in guide if verdict.valid] == [VerdictKey.ACTIVE]
    assert [verdict.key for verdict in guide if verdict.colour == "success"] == [VerdictKey.ACTIVE]


def test_a_signed_contract_before_its_term_is_signed_not_in_force(starts_later):
    verdict = verdict_of(starts_later)
    assert starts_later.status == ContractStatus.ACTIVE
    assert (verdict.key, verdict.valid, verdict.colour) == (VerdictKey.SIGNED, False, "info")
    assert verdict.label.startswith("Signed, starts on ")
    with time_machine.travel(starts_later.term_start.isoformat() + "T12:00:00Z", tick=False):
        assert verdict_of(starts_later).key == VerdictKey.ACTIVE
    after = starts_later.term_end + timedelta(days=1)
    assert verdict_of(starts_later, after).key == VerdictKey.COMPLETED


def test_the_signed_label_names_the_start_in_the_readers_language(starts_later):
    with translation.override("zh-hans"):
        label = verdict_of(starts_later).label
    assert str(starts_later.term_start.year) in label
    assert "生效" in label


def test_every_stored_status_has_its_verdict(actor, creator, moderator, in_force):
    assert verdict_of(in_force).key == VerdictKey.ACTIVE
    suspended = contract_suspend(contract=in_force, by=None)
    assert verdict_of(suspended).key == VerdictKey.SUSPENDED
    assert verdict_of(contract_void(contract=suspended, by=moderator, reason="misuse")).key == VerdictKey.VOIDED
    unsigned = accepted_contract(actor=actor.actor_profile, creator=creator.creator_profile)
    assert verdict_of(unsigned).key == VerdictKey.AWAITING_SIGNATURES
    contract_expire_unsigned(contract_id=unsigned.pk, now=unsigned.sign_deadline)
    unsigned.refresh_from_db()
    assert verdict_of(unsigned).key == VerdictKey.CANCELLED


# --- Pages -----------------------------------------------------------------------------


def test_the_licence_page_of_a_contract_not_started_shows_no_green_badge(anonymous, starts_later):
    body = page(anonymous.get(f"/verify/{starts_later.licence_code}/"))
    assert 'data-verdict="signed"' in body
    assert "Signed, starts on" in body
    assert "text-bg-success" not in body
    assert "border-success" not in body
    assert "In force</span>" not in body


def test_the_contract_page_and_list_show_the_same_verdict_as_the_licence_page(login, creator, starts_later):
    client = login(creator)
    detail = page(client.get(f"/contracts/{starts_later.pk}/"))
    listing = page(client.get("/contracts/"))
    for body in (detail, listing):
        assert 'data-verdict="signed"' in body
        assert "text-bg-success" not in body


def test_the_contract_page_of_a_contract_in_force_says_in_force(login, creator, in_force):
    body = page(login(creator).get(f"/contracts/{in_force.pk}/"))
    assert 'data-verdict="active"' in body
    assert "In force</span>" in body


def test_signing_last_before_the_term_says_when_the_licence_starts(login, actor, creator):
    contract = accepted_contract(
        actor=open_actor(actor.actor_profile), creator=creator.creator_profile, **later_terms()
    )
    for profile in (actor.actor_profile, creator.creator_profile):
        type(profile).objects.filter(pk=profile.pk).update(legal_name="Legal Name")
    login(actor).post(f"/contracts/{contract.pk}/sign/", {"typed_name": "Legal Name", "consent": "on"})
    response = login(creator).post(
        f"/contracts/{contract.pk}/sign/", {"typed_name": "Legal Name", "consent": "on"}, follow=True
    )
    body = page(response)
    assert "Both parties have signed: the licence starts on" in body
    assert "now active" not in body
    assert "is in force" not in body


# --- Notifications and their emails ----------------------------------------------------


def titles(contract: Contract, kind: str) -> list[str]:
    rows = Notification.objects.filter(kind=kind, event_key__startswith=f"contract:{contract.pk}:")
    return [kind_for(row.kind).render_title(row.params) for row in rows]


def test_both_signing_before_the_term_is_told_as_signed_with_its_start(starts_later):
    told = titles(starts_later, "contracts.signed_both")
    assert len(told) == 2
    assert all(starts_later.term_start.isoformat() in title and "starts on" in title for title in told)
    assert not Notification.objects.filter(kind="contracts.active").exists()


def test_the_emails_of_both_signing_before_the_term_say_when_it_starts(
    actor, creator, django_capture_on_commit_callbacks, mailoutbox
):
    type(actor).objects.filter(pk=actor.pk).update(preferred_language="zh-hans")
    with django_capture_on_commit_callbacks(execute=True):
        contract = active_contract(
            actor=open_actor(actor.actor_profile), creator=creator.creator_profile, **later_terms()
        )
    told = {message.to[0]: message for message in mailoutbox if contract.licence_code in message.subject}
    starts = contract.term_start.isoformat()
    english, chinese = told[creator.email], told[actor.email]
    assert f"is signed, starts on {starts}" in english.subject
    assert f"将于 {starts} 生效" in chinese.subject
    for message in (english, chinese):
        assert "active" not in message.subject.lower()
        assert "in force" not in message.subject.lower()


def test_both_signing_within_the_term_is_told_as_in_force(in_force):
    assert titles(in_force, "contracts.active") == [f"Contract {in_force.licence_code} is in force"] * 2
    assert not Notification.objects.filter(kind="contracts.signed_both").exists()


def test_a_reinstated_contract_before_its_term_is_told_when_it_starts(starts_later):
    contract_suspend(contract=starts_later, by=None, dispute_id=1)
    contract_reinstate(contract=starts_later, by=None, dispute_id=1)
    assert len(titles(starts_later, "contracts.reinstated_signed")) == 2
    assert not Notification.objects.filter(kind="contracts.reinstated").exists()


# --- The licence API -------------------------------------------------------------------


def licence(client, contract: Contract) -> dict:
    response = client.get(f"/api/v1/licenses/{contract.licence_code}/")
    assert response.status_code == 200
    return response.json()


def test_the_api_says_signed_before_the_term_and_active_only_in_force(api_client, starts_later):
    body = licence(api_client, starts_later)
    assert (body["status"], body["active"], body["verdict"]["key"]) == ("signed", False, "signed")
    assert body["status_display"] == body["verdict"]["display"]
    assert body["status_display"].startswith("Signed, starts on ")
    with time_machine.travel(starts_later.term_start.isoformat() + "T12:00:00Z", tick=False):
        body = licence(api_client, starts_later)
    assert (body["status"], body["active"], body["status_display"]) == ("active", True, "In force")


def test_the_api_says_completed_once_the_term_has_ended(api_client, in_force):
    with time_machine.travel((in_force.term_end + timedelta(days=1)).isoformat() + "T12:00:00Z", tick=False):
        body = licence(api_client, in_force)
    assert (body["status"], body["active"]) == ("completed", False)


def test_the_api_and_the_page_agree_on_a_revoked_licence(api_client, anonymous, actor, in_force):
    contract_revoke(contract=in_force, user=actor, reason="changed my mind")
    body = licence(api_client, in_force)
    assert (body["status"], body["status_display"], body["verdict"]["colour"]) == ("revoked", "Revoked", "danger")
    assert 'data-verdict="revoked"' in page(anonymous.get(f"/verify/{in_force.licence_code}/"))


def test_the_contracts_api_keeps_the_stored_status_and_adds_the_verdict(api_client, creator, starts_later):
    api_client.force_authenticate(creator)
    (row,) = api_client.get("/api/v1/contracts/").json()["results"]
    detail = api_client.get(f"/api/v1/contracts/{starts_later.pk}/").json()
    for body in (row, detail):
        assert body["status"] == "active"
        assert (body["verdict"]["key"], body["verdict"]["valid"]) == ("signed", False)


@override_settings(LICENCE_CHECKS_PER_MINUTE=1000)
def test_the_schema_lists_every_verdict_as_the_licence_status(api_client):
    schema = api_client.get("/api/schema/?format=json").json()
    status = schema["components"]["schemas"]["Licence"]["properties"]["status"]
    if "$ref" in status or "allOf" in status:
        ref = status.get("$ref") or status["allOf"][0]["$ref"]
        status = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert status["enum"] == list(VerdictKey.ALL)
