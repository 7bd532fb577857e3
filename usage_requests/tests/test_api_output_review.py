"""``POST /api/v1/contracts/<id>/outputs/<output_id>/approve|reject`` and
``POST /api/v1/contracts/<id>/outputs/review``: the actor's verdicts over
the API, with the status codes of DESIGN.md; and the accept-time choice
"outputs need my approval" in the accept move and the contract."""

import pytest

from marketplace.models import Notification
from usage_requests.models import (
    REASON_MAX_LENGTH,
    Contract,
    ContractEvent,
    ContractStatus,
    GeneratedOutput,
    OutputStatus,
)
from usage_requests.tests.factories import active_contract, decide_all, open_actor, send_request, stored_output

pytestmark = pytest.mark.django_db

API = "/api/v1/contracts/"


@pytest.fixture(autouse=True)
def _own_media_root(media_root):
    return media_root


@pytest.fixture
def contract(actor, creator) -> Contract:
    return active_contract(actor=open_actor(actor.actor_profile), creator=creator.creator_profile)


@pytest.fixture
def output(contract) -> GeneratedOutput:
    return stored_output(contract, shot_number=2)


def approve(client, output, body=None, contract_id=None):
    return client.post(
        f"{API}{contract_id or output.contract_id}/outputs/{output.pk}/approve", body or {}, format="json"
    )


def reject(client, output, body=None):
    return client.post(f"{API}{output.contract_id}/outputs/{output.pk}/reject", body or {}, format="json")


def review(client, contract, verdicts):
    return client.post(f"{API}{contract.pk}/outputs/review", {"verdicts": verdicts}, format="json")


def status_of(output) -> str:
    output.refresh_from_db()
    return output.status


# --- Who may ---------------------------------------------------------------------------


def test_anonymous_gets_401(api_client, output):
    assert approve(api_client, output).status_code == 401
    assert reject(api_client, output, {"note": "x"}).status_code == 401
    assert review(api_client, output.contract, [{"output": output.pk, "verdict": "approve"}]).status_code == 401
    assert status_of(output) == OutputStatus.PENDING


def test_the_creator_of_the_contract_gets_403(api_as, creator, output):
    client = api_as(creator)
    assert approve(client, output).status_code == 403
    assert reject(client, output, {"note": "x"}).status_code == 403
    response = review(client, output.contract, [{"output": output.pk, "verdict": "approve"}])
    assert response.status_code == 403
    assert "actor" in response.json()["detail"]
    assert status_of(output) == OutputStatus.PENDING


def test_a_user_without_a_role_gets_403(api_as, moderator, output):
    assert approve(api_as(moderator), output).status_code == 403


@pytest.mark.parametrize("persona", ["other_actor", "other_creator"])
def test_an_outsider_gets_404_and_nothing_changes(api_as, request, output, persona):
    client = api_as(request.getfixturevalue(persona))
    assert approve(client, output).status_code == 404
    assert reject(client, output, {"note": "no"}).status_code == 404
    assert review(client, output.contract, [{"output": output.pk, "verdict": "approve"}]).status_code == 404
    assert status_of(output) == OutputStatus.PENDING


def test_an_output_of_another_contract_is_404_under_this_one(api_as, actor, output, other_actor, other_creator):
    other = active_contract(actor=open_actor(other_actor.actor_profile), creator=other_creator.creator_profile)
    theirs = stored_output(other, seed=5)
    response = approve(api_as(actor), theirs, contract_id=output.contract_id)
    assert response.status_code == 404
    assert status_of(theirs) == OutputStatus.PENDING


def test_an_out_of_range_output_id_is_404_not_500(api_as, actor, output):
    response = api_as(actor).post(f"{API}{output.contract_id}/outputs/{2**70}/approve", {}, format="json")
    assert response.status_code == 404


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_wrong_method_is_405(api_as, actor, output, method):
    response = getattr(api_as(actor), method)(f"{API}{output.contract_id}/outputs/{output.pk}/approve")
    assert response.status_code == 405
    assert status_of(output) == OutputStatus.PENDING


# --- One output -------------------------------------------------------------------------


def test_actor_approves_and_gets_the_output_back(api_as, actor, output):
    response = approve(api_as(actor), output, {"note": " fine "})
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == output.pk
    assert (body["shot"], body["version"], body["status"], body["review_note"]) == (2, 1, "approved", "fine")
    assert body["sha256"] == output.sha256
    assert body["reviewed_at"]
    assert set(body) == {"id", "shot", "version", "status", "review_note", "reviewed_at", "sha256"}
    assert ContractEvent.objects.filter(contract=output.contract, kind="output_approved").count() == 1


def test_actor_rejects_with_a_note(api_as, actor, creator, output):
    response = reject(api_as(actor), output, {"note": "Not my face"})
    assert response.status_code == 200
    assert response.json()["status"] == "rejected"
    assert Notification.objects.filter(recipient=creator, kind="outputs.rejected").exists()


@pytest.mark.parametrize(
    "body", [{}, {"note": ""}, {"note": "   "}, {"note": "a\u202eb"}, {"note": "x" * (REASON_MAX_LENGTH + 1)}]
)
def test_rejecting_without_a_proper_note_is_400_on_note(api_as, actor, output, body):
    response = reject(api_as(actor), output, body)
    assert response.status_code == 400
    assert "note" in response.json()
    assert status_of(output) == OutputStatus.PENDING


@pytest.mark.parametrize("status", [OutputStatus.APPROVED, OutputStatus.REJECTED])
def test_reviewing_a_reviewed_output_is_409(api_as, actor, contract, status):
    output = stored_output(contract, status=status)
    response = approve(api_as(actor), output)
    assert response.status_code == 409
    assert response.json()["detail"]
    assert status_of(output) == status


def test_reviewing_on_a_revoked_contract_is_409(api_as, actor, contract, output):
    Contract.objects.filter(pk=contract.pk).update(status=ContractStatus.REVOKED)
    response = reject(api_as(actor), output, {"note": "no"})
    assert response.status_code == 409
    assert status_of(output) == OutputStatus.PENDING


# --- A batch ------------------------------------------------------------------------------


def test_a_batch_answers_every_output_in_order(api_as, actor, contract):
    first, second = stored_output(contract, shot_number=1, seed=1), stored_output(contract, shot_number=3, seed=3)
    response = review(
        api_as(actor),
        contract,
        [{"output": second.pk, "verdict": "reject", "note": "Too dark"}, {"output": first.pk, "verdict": "approve"}],
    )
    assert response.status_code == 200
    body = response.json()
    assert [(row["id"], row["status"], row["review_note"]) for row in body] == [
        (second.pk, "rejected", "Too dark"),
        (first.pk, "approved", ""),
    ]


@pytest.mark.parametrize(
    "verdicts",
    [
        [],
        [{"output": 1, "verdict": "maybe"}],
        [{"output": 0, "verdict": "approve"}],
        [{"output": 2**63, "verdict": "approve"}],
        [{"verdict": "approve"}],
        "not a list",
    ],
)
def test_a_malformed_batch_is_400_on_verdicts(api_as, actor, contract, output, verdicts):
    response = review(api_as(actor), contract, verdicts)
    assert response.status_code == 400
    assert "verdicts" in response.json()
    assert status_of(output) == OutputStatus.PENDING


def test_a_batch_naming_unknown_outputs_is_400_and_changes_nothing(api_as, actor, contract, output):
    response = review(
        api_as(actor), contract, [{"output": output.pk, "verdict": "approve"}, {"output": 10**12, "verdict": "approve"}]
    )
    assert response.status_code == 400
    assert str(10**12) in response.json()["verdicts"][0]
    assert status_of(output) == OutputStatus.PENDING


def test_a_batch_rejection_without_a_note_is_400(api_as, actor, contract, output):
    response = review(api_as(actor), contract, [{"output": output.pk, "verdict": "reject"}])
    assert response.status_code == 400
    assert "verdicts" in response.json()
    assert status_of(output) == OutputStatus.PENDING


def test_a_batch_with_a_reviewed_output_is_409_and_changes_nothing(api_as, actor, contract, output):
    done = stored_output(contract, seed=9, status=OutputStatus.REJECTED)
    response = review(
        api_as(actor),
        contract,
        [{"output": output.pk, "verdict": "approve"}, {"output": done.pk, "verdict": "approve"}],
    )
    assert response.status_code == 409
    assert status_of(output) == OutputStatus.PENDING


# --- The accept-time choice ---------------------------------------------------------------


def _ready(actor, creator):
    request = send_request(actor=open_actor(actor.actor_profile), creator=creator.creator_profile)
    decide_all(request)
    return request


@pytest.mark.parametrize(("body", "expected"), [({}, True), ({"outputs_need_approval": False}, False)])
def test_accepting_over_the_api_sets_the_outputs_choice(api_as, actor, creator, body, expected):
    request = _ready(actor, creator)
    response = api_as(actor).post(f"/api/v1/requests/{request.pk}/accept", {"terms_version": 1, **body}, format="json")
    assert response.status_code == 200
    contract = Contract.objects.get(request=request)
    assert contract.outputs_need_approval is expected
    detail = api_as(creator).get(f"{API}{contract.pk}/").json()
    assert detail["outputs_need_approval"] is expected
    assert "outputs_need_approval" not in detail["snapshot"]
