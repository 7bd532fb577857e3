"""The labelled copy of an approved output (China's AI-content labels): made
once, for approved outputs only, from the submitted file left as it was; the
download page and the API hand it to the contract's two parties, make an
image's on the spot and answer 202 while the worker makes a video's."""

import hashlib
import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from marketplace.labelling import read_ai_label
from marketplace.schedule import BEAT_SCHEDULE
from marketplace.tests.test_labelling import assert_labelled
from marketplace.tests.videos import CLIP, facts, frame_at, make_video
from usage_requests.models import GeneratedOutput
from usage_requests.services import output_labels
from usage_requests.services.output_labels import (
    output_labelled_make,
    outputs_labelling_requeue,
    queue_output_labelling,
)
from usage_requests.tasks import output_label, requeue_unlabelled_outputs
from usage_requests.tests.factories import active_contract, open_actor, stored_output

pytestmark = pytest.mark.django_db

API = "/api/v1/contracts/{contract}/outputs/{output}/labelled"


@pytest.fixture(autouse=True)
def _own_media_and_signer(media_root, settings, tmp_path):
    settings.C2PA_SIGNING_CERT = settings.C2PA_SIGNING_KEY = settings.C2PA_TRUST_ANCHORS = ""
    settings.C2PA_DEV_DIR = tmp_path / "c2pa"
    return media_root


@pytest.fixture
def contract(actor, creator):
    return active_contract(actor=open_actor(actor.actor_profile), creator=creator.creator_profile)


@pytest.fixture
def approved(contract):
    return stored_output(contract, status="approved", reviewed_at=timezone.now())


def video_output(contract, *, status: str = "approved", content_type: str = "video/mp4") -> GeneratedOutput:
    data = make_video(content_type, **CLIP)
    output = GeneratedOutput(
        contract=contract,
        shot_number=contract.snapshot["shots"][0]["number"],
        kind=GeneratedOutput.Kind.VIDEO,
        content_type=content_type,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        width=320,
        height=240,
        duration_seconds=2.5,
        tool="Test Video 1.0",
        submitted_by=contract.creator.user,
        status=status,
        reviewed_at=timezone.now(),
    )
    output.file.save("output." + content_type.rsplit("/", 1)[1], ContentFile(data), save=False)
    output.save()
    return output


def ai_label_of(data: bytes, content_type: str) -> dict[str, Any]:
    found = read_ai_label(data, content_type)
    assert found is not None, "no implicit label"
    return found


def _bytes(field) -> bytes:
    with field.open("rb") as handle:
        return bytes(handle.read())


def _labelled_files(stored_files, output) -> set[str]:
    return stored_files(f"outputs/{output.contract_id}/labelled")


def _url(output) -> str:
    return reverse("usage_requests:output_labelled", args=[output.contract_id, output.pk])


# --- The service --------------------------------------------------------------------


def test_an_approved_image_gets_a_labelled_copy_and_its_submitted_file_is_unchanged(approved, stored_files):
    submitted = _bytes(approved.file)
    output = output_labelled_make(output_id=approved.pk)
    assert output is not None
    assert output.labelled.name.startswith(f"outputs/{approved.contract_id}/labelled/")
    assert output.labelled.name.endswith(".png")
    assert _bytes(output.file) == submitted
    assert hashlib.sha256(submitted).hexdigest() == output.sha256
    labelled = _bytes(output.labelled)
    assert Image.open(io.BytesIO(labelled)).format == "PNG"
    found = ai_label_of(labelled, "image/png")
    assert found["AIGC"]["Label"] == "1"
    assert found["AIGC"]["ContentProducer"] == "ConsentCast"
    assert found["AIGC"]["ProduceID"] == f"{approved.contract.licence_code}/output-{approved.pk}-v1"
    assert found["verify_url"].endswith(f"/verify/{approved.contract.licence_code}/")
    assert found["c2pa"]["licence_code"] == approved.contract.licence_code
    assert len(_labelled_files(stored_files, approved)) == 1


def test_the_provider_name_and_code_come_from_settings(approved, settings):
    settings.AI_LABEL_PROVIDER_NAME, settings.AI_LABEL_PROVIDER_CODE = "ConsentCast Ltd", "0010001"
    output = output_labelled_make(output_id=approved.pk)
    found = ai_label_of(_bytes(output.labelled), "image/png")
    assert found["AIGC"]["ContentProducer"] == "0010001"


def test_making_it_again_returns_the_same_copy_and_stores_nothing_more(approved, stored_files):
    first = output_labelled_make(output_id=approved.pk)
    again = output_labelled_make(output_id=approved.pk)
    assert again.labelled.name == first.labelled.name
    assert len(_labelled_files(stored_files, approved)) == 1


def test_two_workers_racing_keep_one_file(approved, stored_files, monkeypatch):
    """The second worker finishes between the first one's storing its copy
    and its compare-and-set: the first loses and deletes its own file."""
    real = output_labels._store_labelled_copy
    calls = []

    def store_while_another_worker_finishes(output):
        name = real(output)
        calls.append(name)
        if len(calls) == 1:
            output_labelled_make(output_id=output.pk)
        return name

    monkeypatch.setattr(output_labels, "_store_labelled_copy", store_while_another_worker_finishes)
    output = output_labelled_make(output_id=approved.pk)
    assert len(calls) == 2
    assert output.labelled.name == calls[1]
    assert _labelled_files(stored_files, approved) == {calls[1]}


@pytest.mark.parametrize("status", ["pending", "rejected"])
def test_an_output_not_approved_gets_no_labelled_copy(contract, status, stored_files):
    output = stored_output(contract, status=status)
    assert output_labelled_make(output_id=output.pk) is None
    output.refresh_from_db()
    assert not output.labelled
    assert _labelled_files(stored_files, output) == set()


def test_an_unknown_output_is_nothing_to_label():
    assert output_labelled_make(output_id=10**9) is None


def test_a_damaged_file_is_logged_and_gets_no_copy(approved, stored_files, caplog):
    approved.file.save("output.png", ContentFile(b"\x89PNG damaged"), save=True)
    assert output_labelled_make(output_id=approved.pk) is None
    assert "could not be labelled" in caplog.text
    assert _labelled_files(stored_files, approved) == set()


@pytest.mark.parametrize("content_type", ["video/mp4", "video/webm"])
def test_the_task_labels_an_approved_video_keeping_its_length_and_size(contract, content_type, stored_files):
    output = video_output(contract, content_type=content_type)
    output_label(output.pk)
    output.refresh_from_db()
    labelled = _bytes(output.labelled)
    assert output.labelled.name.endswith("." + content_type.rsplit("/", 1)[1])
    for seconds in (0.5, 1.9):
        assert_labelled(frame_at(labelled, seconds))
    source = facts(_bytes(output.file))
    assert facts(labelled)["duration"] == source["duration"]
    assert facts(labelled)["size"] == source["size"] == (320, 240)
    found = ai_label_of(labelled, content_type)
    assert found["AIGC"]["ProduceID"] == f"{contract.licence_code}/output-{output.pk}-v1"
    assert hashlib.sha256(_bytes(output.file)).hexdigest() == output.sha256


def test_queueing_runs_the_task_once_the_approval_commits(contract, django_capture_on_commit_callbacks):
    output = video_output(contract)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        queue_output_labelling(output)
    output.refresh_from_db()
    assert not output.labelled
    assert len(queued) == 1
    queued[0]()  # the commit: the (eager) task runs
    output.refresh_from_db()
    assert output.labelled


def test_the_task_has_a_stable_name_and_is_acknowledged_late():
    assert output_label.name == "usage_requests.output_label"
    assert output_label.acks_late is True
    assert output_label.max_retries == 5


# --- The sweep ----------------------------------------------------------------------


def test_the_sweep_requeues_approved_outputs_left_without_a_copy(contract, monkeypatch):
    now = timezone.now()
    lost = stored_output(contract, seed=1, status="approved", reviewed_at=now - timedelta(minutes=30))
    stored_output(contract, seed=2, status="approved", reviewed_at=now - timedelta(minutes=5))  # still running
    stored_output(contract, seed=3, status="approved", reviewed_at=now - timedelta(hours=7))  # given up
    stored_output(contract, seed=4, status="pending")
    done = stored_output(contract, seed=5, status="approved", reviewed_at=now - timedelta(minutes=30))
    output_labelled_make(output_id=done.pk)
    queued: list[int] = []
    monkeypatch.setattr(output_label, "delay", queued.append)
    assert outputs_labelling_requeue() == 1
    assert queued == [lost.pk]
    assert requeue_unlabelled_outputs() == 1


def test_the_sweep_runs_hourly_on_beat():
    assert BEAT_SCHEDULE["requeue-unlabelled-outputs"]["task"] == "usage_requests.requeue_unlabelled_outputs"
    assert requeue_unlabelled_outputs.name == "usage_requests.requeue_unlabelled_outputs"


# --- The download page --------------------------------------------------------------


@pytest.mark.parametrize("party", ["actor", "creator"])
def test_both_parties_download_the_labelled_image_made_on_the_spot(client, approved, party, request):
    client.force_login(request.getfixturevalue(party))
    response = client.get(_url(approved))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "attachment" in response["Content-Disposition"]
    assert "labelled.png" in response["Content-Disposition"]
    body = b"".join(response.streaming_content)
    assert ai_label_of(body, "image/png")["AIGC"]["Label"] == "1"
    approved.refresh_from_db()
    assert _bytes(approved.labelled) == body


@pytest.mark.parametrize("outsider", ["other_actor", "other_creator", "moderator"])
def test_an_outsider_gets_404(client, approved, outsider, request, stored_files):
    client.force_login(request.getfixturevalue(outsider))
    assert client.get(_url(approved)).status_code == 404
    assert _labelled_files(stored_files, approved) == set()


def test_anonymous_is_sent_to_sign_in(client, approved):
    response = client.get(_url(approved))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_post_is_not_allowed(client, approved, creator):
    client.force_login(creator)
    assert client.post(_url(approved)).status_code == 405


def test_an_output_of_another_contract_is_404_under_this_contract_path(client, approved, creator):
    client.force_login(creator)
    url = reverse("usage_requests:output_labelled", args=[approved.contract_id + 1000, approved.pk])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("status", ["pending", "rejected"])
def test_a_party_is_told_an_output_not_approved_has_no_labelled_copy(client, contract, creator, status):
    output = stored_output(contract, status=status)
    client.force_login(creator)
    response = client.get(_url(output))
    assert response.status_code == 409
    assert "has not been approved by the actor" in response.content.decode()
    output.refresh_from_db()
    assert not output.labelled


def test_a_video_is_prepared_by_the_worker_behind_a_202_page(
    client, contract, creator, monkeypatch, django_capture_on_commit_callbacks
):
    output = video_output(contract)
    queued: list[int] = []
    monkeypatch.setattr(output_label, "delay", queued.append)
    client.force_login(creator)
    with django_capture_on_commit_callbacks(execute=True):
        preparing = client.get(_url(output))
    assert preparing.status_code == 202
    assert "Reload this page in a moment" in preparing.content.decode()
    assert queued == [output.pk]
    output_label.run(output.pk)  # the worker
    response = client.get(_url(output))
    assert response.status_code == 200
    assert response["Content-Type"] == "video/mp4"
    assert ai_label_of(b"".join(response.streaming_content), "video/mp4")["AIGC"]["Label"] == "1"


def test_the_202_page_is_in_chinese_for_a_chinese_reader(client, contract, creator, monkeypatch):
    output = video_output(contract)
    monkeypatch.setattr(output_label, "delay", lambda pk: None)
    creator.preferred_language = "zh-hans"
    creator.save(update_fields=["preferred_language"])
    client.force_login(creator)
    response = client.get(_url(output))
    assert response.status_code == 202
    assert "正在准备" in response.content.decode()


# --- The API ------------------------------------------------------------------------


@pytest.mark.parametrize("party", ["actor", "creator"])
def test_the_api_hands_a_party_the_labelled_image(api_as, approved, party, request):
    response = api_as(request.getfixturevalue(party)).get(API.format(contract=approved.contract_id, output=approved.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert ai_label_of(b"".join(response.streaming_content), "image/png")["AIGC"]["Label"] == "1"


@pytest.mark.parametrize("outsider", ["other_actor", "other_creator"])
def test_the_api_answers_an_outsider_404(api_as, approved, outsider, request):
    response = api_as(request.getfixturevalue(outsider)).get(
        API.format(contract=approved.contract_id, output=approved.pk)
    )
    assert response.status_code == 404


def test_the_api_wants_a_signed_in_caller(api_client, approved):
    assert api_client.get(API.format(contract=approved.contract_id, output=approved.pk)).status_code == 401


def test_the_api_answers_409_for_an_output_not_approved(api_as, contract, creator):
    output = stored_output(contract, status="pending")
    response = api_as(creator).get(API.format(contract=contract.pk, output=output.pk))
    assert response.status_code == 409
    assert "not approved" in response.json()["detail"]


def test_the_api_answers_202_preparing_for_a_video(
    api_as, contract, creator, monkeypatch, django_capture_on_commit_callbacks
):
    output = video_output(contract)
    queued: list[int] = []
    monkeypatch.setattr(output_label, "delay", queued.append)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(creator).get(API.format(contract=contract.pk, output=output.pk))
    assert response.status_code == 202
    assert response.json() == {"status": "preparing"}
    assert queued == [output.pk]
