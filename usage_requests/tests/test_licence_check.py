""" "May I generate this?": ``GET /api/v1/licenses/<code>/check`` answers
yes or no with every reason, from the contract's snapshot and status."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from creators.tests.factories import ProjectFactory, ShotFactory
from usage_requests.models import Contract, ContractStatus
from usage_requests.services import contract_reinstate, contract_revoke, contract_suspend, contract_void
from usage_requests.services.contracts import contract_expire_unsigned
from usage_requests.services.sweeps import contracts_complete_ended
from usage_requests.tests.factories import accepted_contract, active_contract, open_actor

pytestmark = pytest.mark.django_db

ALL_REASONS = [
    "licence_not_in_force",
    "outside_term",
    "shot_not_approved",
    "usage_not_in_shot",
    "territory_not_covered",
    "training_not_permitted",
]


@pytest.fixture
def active(actor, creator) -> Contract:
    """Active, mainland China, no training; shots 1 and 2 approved (face
    only), shot 3 vetoed."""
    return active_contract(actor=open_actor(actor.actor_profile), creator=creator.creator_profile, veto=1)


def ask(client, contract_or_code, **params):
    code = getattr(contract_or_code, "licence_code", contract_or_code)
    return client.get(f"/api/v1/licenses/{code}/check", params)


def in_term(contract: Contract) -> str:
    return contract.term_start.isoformat()


def on_day(day):
    return time_machine.travel(day.isoformat() + "T12:00:00Z", tick=False)


# --- Allowed ------------------------------------------------------------------------


def test_an_approved_shot_within_the_terms_is_allowed(api_client, active):
    response = ask(
        api_client, active, shot=1, usage="face", territory="cn_mainland", date=in_term(active), purpose="generation"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["allowed"] is True
    assert body["reason"] is None
    assert body["reasons"] == []
    assert body["licence_code"] == active.licence_code
    assert "Allowed" in body["message"]
    assert body["checked"] == {
        "shot": 1,
        "usage": "face",
        "territory": "cn_mainland",
        "date": in_term(active),
        "purpose": "generation",
    }
    assert response["Cache-Control"] == "no-store"


def test_only_the_shot_is_needed_and_the_date_defaults_to_today(api_client, active):
    with on_day(active.term_start):
        body = ask(api_client, active, shot=2).json()
    assert body["allowed"] is True
    assert body["checked"] == {
        "shot": 2,
        "usage": None,
        "territory": None,
        "date": active.term_start.isoformat(),
        "purpose": "generation",
    }


def test_a_code_in_another_form_finds_the_licence(api_client, active):
    typed = active.licence_code.lower().replace("-", "")
    body = ask(api_client, typed, shot=1, date=in_term(active)).json()
    assert body["licence_code"] == active.licence_code
    assert body["allowed"] is True


# --- Each refusal alone -------------------------------------------------------------


def test_a_vetoed_shot_is_not_approved(api_client, active):
    body = ask(api_client, active, shot=3, date=in_term(active)).json()
    assert body["allowed"] is False
    assert body["reason"] == "shot_not_approved"
    assert body["reasons"] == ["shot_not_approved"]
    assert "Shot 3 is not one of the licence's approved shots" in body["message"]


def test_a_shot_never_requested_is_not_approved(api_client, active):
    assert ask(api_client, active, shot=99, date=in_term(active)).json()["reasons"] == ["shot_not_approved"]


def test_a_usage_the_shot_does_not_license_is_refused(api_client, active):
    body = ask(api_client, active, shot=1, usage="voice", date=in_term(active)).json()
    assert body["allowed"] is False
    assert body["reasons"] == ["usage_not_in_shot"]
    assert body["message"] == "Shot 1 licenses Face, not Voice."


def test_every_usage_of_a_shot_is_allowed(api_client, actor, creator):
    project = ProjectFactory(creator=creator.creator_profile)
    ShotFactory(project=project, number=1, likeness_usage=["face", "voice"])
    contract = active_contract(actor=open_actor(actor.actor_profile), creator=creator.creator_profile, project=project)
    assert ask(api_client, contract, shot=1, usage="voice", date=in_term(contract)).json()["allowed"] is True
    assert ask(api_client, contract, shot=1, usage="face", date=in_term(contract)).json()["allowed"] is True
    assert ask(api_client, contract, shot=1, usage="full_body", date=in_term(contract)).json()["reasons"] == [
        "usage_not_in_shot"
    ]


@pytest.mark.parametrize("territory", ["europe", "hk_mo_tw", "worldwide"])
def test_a_territory_outside_the_licence_is_not_covered(api_client, active, territory):
    body = ask(api_client, active, shot=1, territory=territory, date=in_term(active)).json()
    assert body["allowed"] is False
    assert body["reasons"] == ["territory_not_covered"]
    assert "The licence covers Mainland China" in body["message"]


@pytest.mark.parametrize("territory", ["worldwide", "europe", "cn_mainland", "middle_east_africa"])
def test_a_worldwide_licence_covers_every_territory(api_client, actor, creator, territory):
    contract = active_contract(
        actor=open_actor(actor.actor_profile, accepted_territories=["worldwide"]),
        creator=creator.creator_profile,
        territory="worldwide",
    )
    assert ask(api_client, contract, shot=1, territory=territory, date=in_term(contract)).json()["allowed"] is True


def test_training_is_refused_unless_the_terms_permit_it(api_client, active):
    body = ask(api_client, active, shot=1, purpose="training", date=in_term(active)).json()
    assert body["allowed"] is False
    assert body["reasons"] == ["training_not_permitted"]
    assert "does not permit training" in body["message"]


def test_training_is_allowed_when_the_terms_permit_it(api_client, actor, creator):
    contract = active_contract(
        actor=open_actor(actor.actor_profile, ai_training_allowed=True),
        creator=creator.creator_profile,
        ai_training=True,
    )
    assert ask(api_client, contract, shot=1, purpose="training", date=in_term(contract)).json()["allowed"] is True


# --- The term -----------------------------------------------------------------------


@pytest.mark.parametrize(("edge", "allowed"), [("first", True), ("last", True), ("before", False), ("after", False)])
def test_the_term_includes_its_first_and_last_day(api_client, active, edge, allowed):
    day = {
        "first": active.term_start,
        "last": active.term_end,
        "before": active.term_start - timedelta(days=1),
        "after": active.term_end + timedelta(days=1),
    }[edge]
    body = ask(api_client, active, shot=1, date=day.isoformat()).json()
    assert body["allowed"] is allowed
    assert body["reasons"] == ([] if allowed else ["outside_term"])
    assert body["checked"]["date"] == day.isoformat()


def test_outside_the_term_names_the_term(api_client, active):
    day = active.term_end + timedelta(days=1)
    message = ask(api_client, active, shot=1, date=day.isoformat()).json()["message"]
    assert message == (
        f"{day.isoformat()} is outside the licence's term, "
        f"{active.term_start.isoformat()} to {active.term_end.isoformat()}."
    )


def test_today_past_the_term_is_outside_it_before_the_sweep_completes_it(api_client, active):
    with on_day(active.term_end + timedelta(days=1)):
        body = ask(api_client, active, shot=1).json()
    assert body["reasons"] == ["outside_term"]


# --- Every contract status ----------------------------------------------------------


def _in_status(status: str, contract: Contract, moderator) -> Contract:
    if status in (ContractStatus.SUSPENDED, ContractStatus.VOIDED):
        contract_suspend(contract=contract, by=None, reason="dispute opened")
    if status == ContractStatus.VOIDED:
        contract_void(contract=contract, by=moderator, reason="misused")
    if status == ContractStatus.REVOKED:
        contract_revoke(contract=contract, user=contract.actor.user, reason="changed my mind")
    if status == ContractStatus.COMPLETED:
        contracts_complete_ended(now=timezone.now() + timedelta(days=400))
    contract.refresh_from_db()
    assert contract.status == status
    return contract


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (ContractStatus.SUSPENDED, "Suspended (dispute)"),
        (ContractStatus.REVOKED, "Revoked"),
        (ContractStatus.VOIDED, "Voided"),
        (ContractStatus.COMPLETED, "Completed"),
    ],
)
def test_a_licence_no_longer_active_is_not_in_force(api_client, active, moderator, status, words):
    contract = _in_status(status, active, moderator)
    body = ask(api_client, contract, shot=1, date=in_term(contract)).json()
    assert body["allowed"] is False
    assert body["reasons"] == ["licence_not_in_force"]
    assert body["message"] == f"The licence is not in force ({words})."


def test_an_unsigned_licence_is_not_in_force(api_client, actor, creator):
    contract = accepted_contract(actor=open_actor(actor.actor_profile), creator=creator.creator_profile)
    body = ask(api_client, contract, shot=1, date=in_term(contract)).json()
    assert body["reasons"] == ["licence_not_in_force"]
    assert "Awaiting signatures" in body["message"]


def test_a_cancelled_licence_is_not_in_force(api_client, actor, creator):
    contract = accepted_contract(actor=open_actor(actor.actor_profile), creator=creator.creator_profile)
    assert contract_expire_unsigned(contract_id=contract.pk, now=contract.sign_deadline)
    body = ask(api_client, contract, shot=1, date=in_term(contract)).json()
    assert body["reasons"] == ["licence_not_in_force"]
    assert "Cancelled" in body["message"]


def test_a_reinstated_licence_is_in_force_again(api_client, active):
    contract_suspend(contract=active, by=None, reason="dispute opened")
    contract_reinstate(contract=active, by=None, reason="no case")
    assert ask(api_client, active, shot=1, date=in_term(active)).json()["allowed"] is True


# --- Combined -----------------------------------------------------------------------


def test_every_failing_reason_is_listed_in_order(api_client, active):
    contract_revoke(contract=active, user=active.actor.user, reason="changed my mind")
    day = active.term_end + timedelta(days=1)
    body = ask(api_client, active, shot=3, territory="europe", purpose="training", date=day.isoformat()).json()
    assert body["allowed"] is False
    assert body["reason"] == "licence_not_in_force"
    assert body["reasons"] == [
        "licence_not_in_force",
        "outside_term",
        "shot_not_approved",
        "territory_not_covered",
        "training_not_permitted",
    ]
    for sentence in ("not in force", "outside the licence's term", "Shot 3", "covers Mainland China", "training"):
        assert sentence in body["message"]


def test_usage_and_shot_reasons_combine_with_the_terms(api_client, active):
    body = ask(api_client, active, shot=2, usage="full_body", territory="europe", date=in_term(active)).json()
    assert body["reasons"] == ["usage_not_in_shot", "territory_not_covered"]


def test_the_answer_follows_the_readers_language(api_client, active):
    response = api_client.get(
        f"/api/v1/licenses/{active.licence_code}/check",
        {"shot": 3, "date": in_term(active)},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.json()["reason"] == "shot_not_approved"
    assert "镜头 3" in response.json()["message"]


# --- Bad input, unknown code, method, limit -----------------------------------------


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "shot"),
        ({"shot": "one"}, "shot"),
        ({"shot": "0"}, "shot"),
        ({"shot": "1.5"}, "shot"),
        ({"shot": "1", "usage": "hands"}, "usage"),
        ({"shot": "1", "usage": ""}, "usage"),
        ({"shot": "1", "territory": "atlantis"}, "territory"),
        ({"shot": "1", "date": "2026-02-30"}, "date"),
        ({"shot": "1", "date": "20260101"}, "date"),
        ({"shot": "1", "date": "tomorrow"}, "date"),
        ({"shot": "1", "purpose": "fun"}, "purpose"),
    ],
)
def test_bad_input_is_400_with_the_field(api_client, active, params, field):
    response = api_client.get(f"/api/v1/licenses/{active.licence_code}/check", params)
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_unknown_licence_code_is_404(api_client, active):
    code = "CC-2345-6789-ABCE" if active.licence_code == "CC-2345-6789-ABCD" else "CC-2345-6789-ABCD"
    response = ask(api_client, code, shot=1)
    assert response.status_code == 404
    assert "No licence has this code" in response.json()["detail"]


def test_garbage_code_is_404(api_client):
    assert ask(api_client, "hello", shot=1).status_code == 404


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_check_is_read_only(api_client, active, method):
    response = getattr(api_client, method)(f"/api/v1/licenses/{active.licence_code}/check?shot=1")
    assert response.status_code == 405


def test_a_stale_token_header_does_not_stop_the_check(api_client, active):
    response = api_client.get(
        f"/api/v1/licenses/{active.licence_code}/check",
        {"shot": 1, "date": in_term(active)},
        HTTP_AUTHORIZATION="Token not-a-real-token",
    )
    assert response.status_code == 200


def test_too_many_checks_from_one_address_get_429(api_client, settings, active):
    settings.LICENCE_CHECKS_PER_MINUTE = 2
    with time_machine.travel(timezone.now(), tick=False):
        assert ask(api_client, active, shot=1).status_code == 200
        # The licence API and the check share one count per address.
        assert api_client.get(f"/api/v1/licenses/{active.licence_code}/").status_code == 200
        response = ask(api_client, active, shot=1)
        assert response.status_code == 429
        assert 1 <= int(response["Retry-After"]) <= 60
        other = api_client.get(f"/api/v1/licenses/{active.licence_code}/check?shot=1", REMOTE_ADDR="203.0.113.9")
        assert other.status_code == 200


def test_a_malformed_question_is_400_whatever_the_code(api_client):
    response = ask(api_client, "CC-2345-6789-ABCD", shot="none")
    assert response.status_code == 400
    assert list(response.json()) == ["shot"]
