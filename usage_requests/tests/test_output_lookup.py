"""The output lookup: ``GET /api/v1/outputs/<sha256>/`` and the page
``/verify/outputs/<sha256>/`` say whether a file is an approved output of
a licence in force, and of which; pending and rejected files are never
recognised, and nothing but the public facts leaks."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from usage_requests.models import Contract, GeneratedOutput
from usage_requests.services import contract_revoke, contract_suspend, contract_void
from usage_requests.services.sweeps import contracts_complete_ended
from usage_requests.tests.factories import active_contract, open_actor, stored_output

pytestmark = pytest.mark.django_db

UNKNOWN = "0" * 64


@pytest.fixture
def active(actor, creator) -> Contract:
    return active_contract(actor=open_actor(actor.actor_profile), creator=creator.creator_profile, veto=1)


@pytest.fixture
def approved(active) -> GeneratedOutput:
    return stored_output(
        active, shot_number=2, status="approved", seed=1, reviewed_at=timezone.now(), review_note="Lovely light"
    )


@pytest.fixture
def rejected(active) -> GeneratedOutput:
    return stored_output(
        active, shot_number=1, status="rejected", seed=2, reviewed_at=timezone.now(), review_note="My eyes look wrong"
    )


@pytest.fixture
def pending(active) -> GeneratedOutput:
    return stored_output(active, shot_number=1, status="pending", seed=3)


def lookup(client, sha256: str, **extra):
    return client.get(f"/api/v1/outputs/{sha256}/", **extra)


def within_term(contract: Contract):
    return time_machine.travel(contract.term_start.isoformat() + "T12:00:00Z", tick=False)


# --- The API ------------------------------------------------------------------------


def test_an_approved_output_of_a_licence_in_force_is_recognised(api_client, active, approved):
    with within_term(active):
        response = lookup(api_client, approved.sha256)
    assert response.status_code == 200
    body = response.json()
    assert body["sha256"] == approved.sha256
    assert body["approved"] is True
    assert body["message"] == f"Approved output of licence {active.licence_code}, in force."
    (licence,) = body["licences"]
    assert licence["licence_code"] == active.licence_code
    assert licence["verify_url"] == f"http://testserver/verify/{active.licence_code}/"
    assert licence["status"] == "active"
    assert licence["verdict"] == "In force"
    assert licence["in_force"] is True
    assert licence["shot"] == 2
    assert licence["kind"] == "image"
    assert licence["approved_at"]
    assert licence["actor"] == "Lin Xiaoyu"
    assert licence["creator"] == "Lumen Pictures"
    assert licence["project"] == active.snapshot["project"]["title"]
    assert response["Cache-Control"] == "no-store"


def test_an_upper_case_hash_is_accepted(api_client, approved):
    response = lookup(api_client, approved.sha256.upper())
    assert response.status_code == 200
    assert response.json()["sha256"] == approved.sha256


@pytest.mark.parametrize("status", ["rejected", "pending"])
def test_a_rejected_or_pending_file_is_not_recognised(api_client, request, status):
    output = request.getfixturevalue(status)
    response = lookup(api_client, output.sha256)
    assert response.status_code == 404
    assert response.json() == {"detail": "No approved output has this SHA-256."}


def test_an_unknown_hash_is_404_in_the_readers_language(api_client, approved):
    assert lookup(api_client, UNKNOWN).json() == {"detail": "No approved output has this SHA-256."}
    response = lookup(api_client, UNKNOWN, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 404
    assert response.json()["detail"] == "没有任何已批准的生成作品具有此 SHA-256。"


@pytest.mark.parametrize("value", ["abc", "0" * 63, "0" * 65, "g" * 64, "z" + "0" * 63, " " + "0" * 64, "-" * 64])
def test_a_value_that_is_not_64_hex_digits_is_400(api_client, value):
    response = lookup(api_client, value)
    assert response.status_code == 400
    assert response.json() == {"sha256": ["A SHA-256 is 64 hexadecimal digits (0-9, a-f)."]}


def test_nothing_private_leaks(api_client, approved, rejected):
    content = lookup(api_client, approved.sha256).content.decode()
    for private in (
        approved.tool,
        approved.review_note,
        approved.file.name,
        approved.preview.name,
        "/outputs/",
        rejected.sha256,
        "Lin Xiaoyu Legal",
        "Lumen Pictures Ltd",
        "5000",
    ):
        assert private not in content


def test_a_hash_approved_under_several_licences_lists_each_in_force_first(
    api_client, active, approved, other_actor, other_creator, moderator
):
    other = active_contract(actor=open_actor(other_actor.actor_profile), creator=other_creator.creator_profile)
    stored_output(other, shot_number=1, status="approved", seed=1, reviewed_at=timezone.now())
    contract_suspend(contract=active, by=None, reason="dispute")
    with within_term(other):
        body = lookup(api_client, approved.sha256).json()
    assert body["approved"] is True
    assert [licence["licence_code"] for licence in body["licences"]] == [other.licence_code, active.licence_code]
    assert [licence["in_force"] for licence in body["licences"]] == [True, False]
    assert body["licences"][1]["actor"] == "Lin Xiaoyu"
    assert body["licences"][1]["status"] == "suspended"
    assert body["message"] == f"Approved output of licence {other.licence_code}, in force."


def test_after_revocation_the_answer_says_revoked_and_when(api_client, active, approved):
    contract_revoke(contract=active, user=active.actor.user, reason="changed my mind")
    active.refresh_from_db()
    body = lookup(api_client, approved.sha256).json()
    day = timezone.localdate(active.ended_at).isoformat()
    assert body["approved"] is False
    assert body["licences"][0]["status"] == "revoked"
    assert body["licences"][0]["in_force"] is False
    assert body["message"] == (
        f"This output was approved under licence {active.licence_code}, which the actor revoked on {day}."
    )
    assert "changed my mind" not in str(body)


def test_after_voiding_the_answer_says_voided_by_a_moderator(api_client, active, approved, moderator):
    contract_suspend(contract=active, by=None, reason="dispute")
    assert "suspended while a dispute is open" in lookup(api_client, approved.sha256).json()["message"]
    contract_void(contract=active, by=moderator, reason="misused")
    body = lookup(api_client, approved.sha256).json()
    assert body["approved"] is False
    assert body["licences"][0]["status"] == "voided"
    assert "which a moderator voided on" in body["message"]


def test_after_completion_the_answer_says_the_term_ended(api_client, active, approved):
    contracts_complete_ended(now=timezone.now() + timedelta(days=400))
    body = lookup(api_client, approved.sha256).json()
    assert body["approved"] is False
    assert body["licences"][0]["status"] == "completed"
    assert body["message"] == (
        f"This output was approved under licence {active.licence_code}, which is completed: its term ended on "
        f"{active.term_end.isoformat()}."
    )


def test_before_the_term_starts_the_answer_says_not_yet_in_force(api_client, active, approved):
    with time_machine.travel((active.term_start - timedelta(days=1)).isoformat() + "T12:00:00Z", tick=False):
        body = lookup(api_client, approved.sha256).json()
    assert body["approved"] is False
    assert body["licences"][0]["status"] == "signed"
    assert "signed, not yet in force" in body["message"]


def test_the_message_follows_the_readers_language(api_client, active, approved):
    contract_revoke(contract=active, user=active.actor.user, reason="changed my mind")
    body = lookup(api_client, approved.sha256, HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert "演员" in body["message"]
    assert active.licence_code in body["message"]
    assert body["licences"][0]["verdict"] == "已撤销"


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_lookup_is_read_only(api_client, approved, method):
    assert getattr(api_client, method)(f"/api/v1/outputs/{approved.sha256}/").status_code == 405


def test_too_many_lookups_from_one_address_get_429(api_client, settings, approved):
    settings.LICENCE_CHECKS_PER_MINUTE = 2
    with time_machine.travel(timezone.now(), tick=False):
        assert lookup(api_client, approved.sha256).status_code == 200
        # Unknown hashes count too: guessing costs the same as checking.
        assert lookup(api_client, UNKNOWN).status_code == 404
        response = lookup(api_client, approved.sha256)
        assert response.status_code == 429
        assert 1 <= int(response["Retry-After"]) <= 60
        assert lookup(api_client, approved.sha256, REMOTE_ADDR="203.0.113.9").status_code == 200


# --- The licence API lists approved outputs only ------------------------------------


def test_the_licence_api_lists_approved_outputs_only(api_client, active, approved, rejected, pending):
    body = api_client.get(f"/api/v1/licenses/{active.licence_code}/").json()
    assert body["approved_outputs"] == [
        {
            "sha256": approved.sha256,
            "shot": 2,
            "kind": "image",
            "approved_at": body["approved_outputs"][0]["approved_at"],
        }
    ]
    content = str(body)
    for private in (rejected.sha256, pending.sha256, approved.tool, approved.review_note, approved.file.name):
        assert private not in content


def test_the_licence_api_lists_none_before_any_approval(api_client, active, pending):
    assert api_client.get(f"/api/v1/licenses/{active.licence_code}/").json()["approved_outputs"] == []


def test_the_licence_api_reads_outputs_in_a_bounded_number_of_queries(
    api_client, active, django_assert_max_num_queries
):
    stored_output(active, shot_number=1, status="approved", seed=10, reviewed_at=timezone.now())
    with django_assert_max_num_queries(10) as few:
        api_client.get(f"/api/v1/licenses/{active.licence_code}/")
    for seed in range(11, 17):
        stored_output(active, shot_number=2, status="approved", seed=seed, reviewed_at=timezone.now())
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = api_client.get(f"/api/v1/licenses/{active.licence_code}/").json()
    assert len(body["approved_outputs"]) == 7
    assert [output["shot"] for output in body["approved_outputs"]] == [1, 2, 2, 2, 2, 2, 2]
