"""``/api/v1/contracts/<id>/outputs/``: either party reads a contract's
generated outputs; the creator submits one as multipart, through the same
service as the page."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from marketplace.tests.videos import make_video
from usage_requests.models import ContractEvent, GeneratedOutput, OutputStatus
from usage_requests.services import contract_revoke
from usage_requests.tests.factories import active_contract, open_actor, output_image, stored_output

pytestmark = pytest.mark.django_db

FIELDS = {
    "id",
    "shot",
    "version",
    "replaces",
    "kind",
    "content_type",
    "sha256",
    "size",
    "width",
    "height",
    "duration_seconds",
    "tool",
    "status",
    "review_note",
    "submitted_at",
    "reviewed_at",
    "auto_approved",
    "file_url",
    "preview_url",
}


@pytest.fixture(autouse=True)
def _own_media_root(media_root):
    return media_root


@pytest.fixture
def contract(actor, creator):
    return active_contract(actor=open_actor(actor.actor_profile), creator=creator.creator_profile, veto=1)


def outputs_url(contract) -> str:
    return f"/api/v1/contracts/{contract.pk}/outputs/"


def body(data: bytes | None = None, *, name: str = "generated.png", shot=1, tool="Test Diffusion 2.1", **extra):
    fields = {"shot": shot, "tool": tool, **extra}
    if data is not None:
        fields["file"] = SimpleUploadedFile(name, data)
    return fields


def post(client, contract, fields):
    return client.post(outputs_url(contract), fields, format="multipart")


# --- Reading ---------------------------------------------------------------------------


@pytest.mark.parametrize("party", ["actor", "creator"])
def test_both_parties_list_the_outputs_oldest_first(api_as, contract, party, request):
    first = stored_output(contract, seed=1, status=OutputStatus.REJECTED, review_note="Too dark")
    second = stored_output(contract, shot_number=2, seed=2)
    response = api_as(request.getfixturevalue(party)).get(outputs_url(contract))
    assert response.status_code == 200
    results = response.json()["results"]
    assert [row["id"] for row in results] == [first.pk, second.pk]
    assert set(results[0]) == FIELDS
    assert results[0]["review_note"] == "Too dark"
    assert results[0]["file_url"].endswith(f"/contracts/{contract.pk}/outputs/{first.pk}/file/")
    assert results[0]["preview_url"].endswith(f"/contracts/{contract.pk}/outputs/{first.pk}/preview/")


def test_one_output_in_detail(api_as, contract, actor):
    output = stored_output(contract, seed=3)
    response = api_as(actor).get(f"{outputs_url(contract)}{output.pk}/")
    assert response.status_code == 200
    assert response.json()["sha256"] == output.sha256
    assert response.json()["status"] == "pending"


def test_the_file_url_works_with_the_token(api_as, contract, creator):
    output = stored_output(contract, seed=4)
    client = api_as(creator)
    file_url = client.get(f"{outputs_url(contract)}{output.pk}/").json()["file_url"]
    response = client.get(file_url)
    assert response.status_code == 200


@pytest.mark.parametrize("outsider", ["other_actor", "other_creator"])
def test_an_outsider_gets_404(api_as, contract, outsider, request, stored_files):
    output = stored_output(contract, seed=5)
    client = api_as(request.getfixturevalue(outsider))
    before = stored_files()
    assert client.get(outputs_url(contract)).status_code == 404
    assert client.get(f"{outputs_url(contract)}{output.pk}/").status_code == 404
    assert post(client, contract, body(output_image(6))).status_code == 404
    assert stored_files() == before


def test_an_output_of_another_contract_is_404_under_this_one(api_as, contract, creator, other_actor):
    other = active_contract(actor=open_actor(other_actor.actor_profile), creator=creator.creator_profile)
    output = stored_output(other, seed=7)
    assert api_as(creator).get(f"{outputs_url(contract)}{output.pk}/").status_code == 404


def test_anonymous_gets_401(api_client, contract):
    assert api_client.get(outputs_url(contract)).status_code == 401
    assert post(api_client, contract, body(output_image(8))).status_code == 401


# --- Submitting --------------------------------------------------------------------------


def test_the_creator_submits_an_image(api_as, contract, creator):
    data = output_image(9, "WEBP")
    response = post(api_as(creator), contract, body(data, tool=" Kling 2.0 "))
    assert response.status_code == 201
    answer = response.json()
    assert set(answer) == FIELDS
    assert answer["sha256"] == hashlib.sha256(data).hexdigest()
    assert (answer["kind"], answer["content_type"], answer["size"]) == ("image", "image/webp", len(data))
    assert (answer["shot"], answer["version"], answer["tool"], answer["status"]) == (1, 1, "Kling 2.0", "pending")
    output = GeneratedOutput.objects.get(pk=answer["id"])
    with output.file.open("rb") as handle:
        assert handle.read() == data
    assert ContractEvent.objects.filter(contract=contract, kind=ContractEvent.Kind.OUTPUT_SUBMITTED).count() == 1


def test_the_creator_submits_a_video(api_as, contract, creator):
    response = post(api_as(creator), contract, body(make_video("mp4"), name="clip.mp4", shot=2))
    assert response.status_code == 201
    assert response.json()["kind"] == "video"
    assert response.json()["duration_seconds"] == pytest.approx(1.0, abs=0.1)


def test_the_actor_gets_403(api_as, contract, actor, stored_files):
    response = post(api_as(actor), contract, body(output_image(10)))
    assert response.status_code == 403
    assert "Only the creator" in response.json()["detail"]
    assert stored_files() == set()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        (body(None), "file"),
        (body(b"GIF89a not an image"), "file"),
        (body(output_image(11), shot=3), "shot"),
        (body(output_image(11), shot="one"), "shot"),
        (body(output_image(11), tool=""), "tool"),
        (body(output_image(11), tool="x" * 121), "tool"),
        (body(output_image(11), tool="Sora\u202e"), "tool"),
        (body(output_image(11), replaces=999999), "replaces"),
        (body(output_image(11), replaces=2**64), "replaces"),
    ],
)
def test_bad_input_is_400_naming_the_field_and_stores_nothing(api_as, contract, creator, fields, field, stored_files):
    response = post(api_as(creator), contract, fields)
    assert response.status_code == 400
    assert field in response.json()
    assert not GeneratedOutput.objects.exists()
    assert stored_files() == set()


def test_json_is_refused_with_415(api_as, contract, creator):
    response = api_as(creator).post(outputs_url(contract), {"shot": 1, "tool": "x"}, format="json")
    assert response.status_code == 415


def test_a_revoked_licence_is_409(api_as, contract, actor, creator, stored_files):
    contract_revoke(contract=contract, user=actor, reason="Changed my mind")
    response = post(api_as(creator), contract, body(output_image(12)))
    assert response.status_code == 409
    assert "This licence: Revoked." in response.json()["detail"]
    assert stored_files() == set()


def test_the_same_file_twice_is_400(api_as, contract, creator):
    client = api_as(creator)
    data = output_image(13)
    assert post(client, contract, body(data)).status_code == 201
    response = post(client, contract, body(data, shot=2))
    assert response.status_code == 400
    assert "already been submitted" in response.json()["file"][0]


def test_a_new_version_and_a_second_one_of_the_same_output(api_as, contract, creator):
    rejected = stored_output(contract, seed=14, status=OutputStatus.REJECTED)
    client = api_as(creator)
    response = post(client, contract, body(output_image(15), replaces=rejected.pk))
    assert response.status_code == 201
    assert (response.json()["version"], response.json()["replaces"]) == (2, rejected.pk)
    again = post(client, contract, body(output_image(16), replaces=rejected.pk))
    assert again.status_code == 409
    assert "already been replaced" in again.json()["detail"]


def test_a_pending_output_cannot_be_replaced(api_as, contract, creator):
    pending = stored_output(contract, seed=17)
    response = post(api_as(creator), contract, body(output_image(18), replaces=pending.pk))
    assert response.status_code == 400
    assert "Only a rejected output" in response.json()["replaces"][0]


def test_another_users_token_gets_404_for_the_files(api_as, contract, other_creator):
    output = stored_output(contract, seed=19)
    client = api_as(other_creator)
    for what in ("file", "preview"):
        assert client.get(f"/contracts/{contract.pk}/outputs/{output.pk}/{what}/").status_code == 404


def test_refusals_answer_in_the_language_asked_for(api_as, contract, creator):
    response = api_as(creator).post(
        outputs_url(contract), body(output_image(20), shot=3), format="multipart", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.json()["shot"] == ["镜头 3 不在本合同授权的镜头之列。"]
