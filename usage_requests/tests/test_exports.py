"""An actor's data export holds their requests, messages and contracts, and
nothing of anyone else's."""

import io
import json
import zipfile

import pytest

from actors.services.exports import export_archive_write
from usage_requests.selectors import records_for_actor
from usage_requests.services import message_send
from usage_requests.tests.factories import active_contract, open_actor, send_request, stored_output

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(actor, other_actor, creator):
    profile = open_actor(actor.actor_profile)
    studio = creator.creator_profile
    contract = active_contract(actor=profile, creator=studio)
    pending = send_request(actor=profile, creator=studio)
    message_send(request=pending, user=creator, body="Mine: are you free?")
    other = send_request(actor=open_actor(other_actor.actor_profile), creator=studio)
    message_send(request=other, user=creator, body="Not yours")
    return profile, contract, pending, other


def test_records_for_actor_hold_their_requests_messages_and_contracts(history):
    profile, contract, pending, _other = history
    records = records_for_actor(profile)
    assert set(records) == {"requests.json", "messages.json", "contracts.json", "generated_outputs.json"}
    assert [row["id"] for row in records["requests.json"]] == [contract.request_id, pending.pk]
    assert records["requests.json"][1]["status"] == "pending"
    assert records["requests.json"][1]["terms"][0]["fee"] == "5000.00"
    assert len(records["requests.json"][1]["shots"]) == 3
    assert [m["body"] for m in records["messages.json"]] == ["Mine: are you free?"]
    (exported,) = records["contracts.json"]
    assert exported["licence_code"] == contract.licence_code
    assert exported["terms_hash"] == contract.terms_hash
    assert {s["party"] for s in exported["signatures"]} == {"actor", "creator"}


def test_data_export_zip_includes_the_request_files(history):
    profile, contract, pending, _other = history
    buffer = io.BytesIO()
    export_archive_write(profile, buffer)
    with zipfile.ZipFile(buffer) as archive:
        names = set(archive.namelist())
        assert {"requests.json", "messages.json", "contracts.json"} <= names
        requests = json.loads(archive.read("requests.json"))
        messages = json.loads(archive.read("messages.json"))
        contracts = json.loads(archive.read("contracts.json"))
    assert {row["id"] for row in requests} == {contract.request_id, pending.pk}
    assert [m["body"] for m in messages] == ["Mine: are you free?"]
    assert [c["licence_code"] for c in contracts] == [contract.licence_code]


def test_the_export_lists_what_was_generated_with_the_likeness_and_the_verdicts(history, media_root):
    profile, contract, _pending, _other = history
    rejected = stored_output(contract, seed=1, status="rejected", review_note="Not my face.")
    approved = stored_output(contract, seed=2, status="approved")
    rows = records_for_actor(profile)["generated_outputs.json"]
    assert [(row["id"], row["status"]) for row in rows] == [(rejected.pk, "rejected"), (approved.pk, "approved")]
    assert rows[0]["review_note"] == "Not my face."
    assert rows[1]["sha256"] == approved.sha256
    assert rows[1]["licence_code"] == contract.licence_code


def test_another_actors_export_has_none_of_these_outputs(history, other_actor, media_root):
    _profile, contract, _pending, _other = history
    stored_output(contract, seed=3)
    assert records_for_actor(other_actor.actor_profile)["generated_outputs.json"] == []
