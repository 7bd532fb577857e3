"""The contract's outputs page (both parties) and the creator's submission
form behind it; the summary on the contract page."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from marketplace.tests.videos import make_video
from usage_requests.models import GeneratedOutput, OutputStatus
from usage_requests.services import contract_revoke
from usage_requests.tests.factories import active_contract, open_actor, output_image, stored_output

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_media_root(media_root):
    return media_root


@pytest.fixture
def contract(actor, creator):
    return active_contract(actor=open_actor(actor.actor_profile), creator=creator.creator_profile, veto=1)


def page_url(contract) -> str:
    return reverse("usage_requests:contract_outputs", args=[contract.pk])


def submit_url(contract) -> str:
    return reverse("usage_requests:output_submit", args=[contract.pk])


def form_data(data: bytes | None = None, *, shot: int = 1, tool: str = "Test Diffusion 2.1", **extra) -> dict:
    fields = {"shot": shot, "tool": tool, **extra}
    if data is not None:
        fields["file"] = SimpleUploadedFile("generated.png", data, content_type="image/png")
    return fields


# --- Access ---------------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(client, contract):
    for response in (client.get(page_url(contract)), client.post(submit_url(contract), form_data(output_image()))):
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_wrong_methods_are_405(login, contract, creator):
    client = login(creator)
    assert client.post(page_url(contract)).status_code == 405
    assert client.get(submit_url(contract)).status_code == 405


@pytest.mark.parametrize("outsider", ["other_actor", "other_creator", "moderator"])
def test_an_outsider_gets_404(login, contract, outsider, request, stored_files):
    client = login(request.getfixturevalue(outsider))
    assert client.get(page_url(contract)).status_code == 404
    assert client.post(submit_url(contract), form_data(output_image())).status_code == 404
    assert stored_files() == set()


def test_the_actor_may_not_submit(login, contract, actor, stored_files):
    response = login(actor).post(submit_url(contract), form_data(output_image()))
    assert response.status_code == 403
    assert stored_files() == set()


# --- The list ----------------------------------------------------------------------------


@pytest.mark.parametrize("party", ["actor", "creator"])
def test_both_parties_see_every_output_under_its_shot(login, contract, party, request):
    pending = stored_output(contract, shot_number=1, seed=1, tool="Kling 2.0")
    rejected = stored_output(contract, shot_number=2, seed=2, status=OutputStatus.REJECTED, review_note="Too dark")
    response = login(request.getfixturevalue(party)).get(page_url(contract))
    assert response.status_code == 200
    html = response.content.decode()
    for output in (pending, rejected):
        assert reverse("usage_requests:output_preview", args=[contract.pk, output.pk]) in html
        assert reverse("usage_requests:output_file", args=[contract.pk, output.pk]) in html
        assert f'title="{output.sha256}"' in html
        assert output.sha256[:16] in html
    assert "Kling 2.0" in html
    assert "Too dark" in html
    assert "Awaiting the actor&#x27;s review" in html or "Awaiting the actor's review" in html
    for shot in contract.snapshot["shots"]:
        assert shot["description"] in html


def test_the_creator_sees_the_submit_form_with_the_approved_shots_only(login, contract, creator):
    response = login(creator).get(page_url(contract))
    form = response.context["form"]
    assert [number for number, _label in form.fields["shot"].choices] == [1, 2]
    html = response.content.decode()
    assert f'action="{submit_url(contract)}"' in html
    assert 'accept="image/jpeg,image/png,image/webp,video/mp4,video/webm"' in html
    assert "data-file-upload" in html


def test_the_actor_sees_no_submit_form(login, contract, actor):
    html = login(actor).get(page_url(contract)).content.decode()
    assert submit_url(contract) not in html


def test_no_submit_form_once_the_licence_is_revoked(login, contract, actor, creator):
    contract_revoke(contract=contract, user=actor, reason="Changed my mind")
    html = login(creator).get(page_url(contract)).content.decode()
    assert submit_url(contract) not in html
    assert "only while the licence is in force" in html


def test_a_new_version_form_for_each_rejected_output_not_yet_replaced(login, contract, creator):
    replaced = stored_output(contract, seed=3, status=OutputStatus.REJECTED)
    stored_output(contract, seed=4, replaces=replaced, version=2)
    open_one = stored_output(contract, shot_number=2, seed=5, status=OutputStatus.REJECTED)
    html = login(creator).get(page_url(contract)).content.decode()
    assert f'name="replaces" value="{open_one.pk}"' in html
    assert f'name="replaces" value="{replaced.pk}"' not in html


def test_the_page_query_count_does_not_grow_with_outputs(login, contract, creator, django_assert_max_num_queries):
    client = login(creator)
    stored_output(contract, seed=1, status=OutputStatus.REJECTED)
    client.get(page_url(contract))  # the session's first request records it
    with django_assert_max_num_queries(10) as one:
        client.get(page_url(contract))
    for seed in range(2, 14):
        stored_output(contract, shot_number=1 + seed % 2, seed=seed, status=OutputStatus.REJECTED)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(page_url(contract))
    assert response.content.decode().count('name="replaces" value=') == 13


# --- Submitting --------------------------------------------------------------------------


def test_the_creator_submits_an_image_and_is_sent_back_to_the_list(login, contract, creator):
    data = output_image(6)
    client = login(creator)
    response = client.post(submit_url(contract), form_data(data, tool="  Kling 2.0 "))
    assert response.status_code == 302
    assert response["Location"] == page_url(contract)
    output = GeneratedOutput.objects.get(contract=contract)
    assert (output.shot_number, output.tool, output.status) == (1, "Kling 2.0", OutputStatus.PENDING)
    with output.file.open("rb") as handle:
        assert handle.read() == data
    assert "The actor has been asked to review it" in client.get(page_url(contract)).content.decode()


def test_a_video_is_submitted_through_the_page(login, contract, creator):
    upload = SimpleUploadedFile("clip.webm", make_video("webm"), content_type="video/webm")
    response = login(creator).post(submit_url(contract), {"shot": 2, "tool": "Veo", "file": upload})
    assert response.status_code == 302
    assert GeneratedOutput.objects.get(contract=contract).kind == "video"


def test_the_upload_script_gets_json(login, contract, creator):
    client = login(creator)
    headers = {"X-Requested-With": "XMLHttpRequest"}
    ok = client.post(submit_url(contract), form_data(output_image(7)), headers=headers)
    assert ok.json() == {"location": page_url(contract)}
    refused = client.post(submit_url(contract), form_data(b"GIF89a not really"), headers=headers)
    assert refused.status_code == 400
    assert "neither a JPEG, PNG or WebP image" in refused.json()["errors"][0]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (form_data(None), "This field is required."),
        (form_data(b"GIF89a not really"), "neither a JPEG, PNG or WebP image"),
        (form_data(output_image(8), shot=3), "Select a valid choice"),
        (form_data(output_image(8), tool=""), "This field is required."),
        (form_data(output_image(8), tool="Sora\u200b"), "invisible or control characters"),
        (form_data(output_image(8), replaces="abc"), "Enter a whole number."),
        (form_data(output_image(8), replaces=99999), "not one of this contract"),
    ],
)
def test_bad_input_answers_the_page_with_400_and_stores_nothing(
    login, contract, creator, fields, message, stored_files
):
    response = login(creator).post(submit_url(contract), fields)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not GeneratedOutput.objects.exists()
    assert stored_files() == set()


def test_a_revoked_licence_answers_409_with_the_reason(login, contract, actor, creator, stored_files):
    contract_revoke(contract=contract, user=actor, reason="Changed my mind")
    response = login(creator).post(submit_url(contract), form_data(output_image(9)))
    assert response.status_code == 409
    assert "This licence: Revoked." in response.content.decode()
    assert stored_files() == set()


def test_a_new_version_through_the_page(login, contract, creator):
    rejected = stored_output(contract, seed=10, status=OutputStatus.REJECTED)
    response = login(creator).post(submit_url(contract), form_data(output_image(11), replaces=rejected.pk))
    assert response.status_code == 302
    assert GeneratedOutput.objects.get(replaces=rejected).version == 2


def test_a_failed_new_version_shows_its_error_in_its_own_form(login, contract, creator):
    rejected = stored_output(contract, seed=12, status=OutputStatus.REJECTED)
    response = login(creator).post(submit_url(contract), form_data(b"not an image", replaces=rejected.pk))
    assert response.status_code == 400
    assert response.context["failed_replaces"] == str(rejected.pk)
    assert "neither a JPEG, PNG or WebP image" in response.content.decode()


# --- The summary on the contract page ---------------------------------------------------------


def test_the_contract_page_counts_the_outputs_and_links_to_them(login, contract, actor):
    stored_output(contract, seed=13, status=OutputStatus.APPROVED)
    stored_output(contract, seed=14, status=OutputStatus.APPROVED)
    stored_output(contract, seed=15)
    response = login(actor).get(reverse("usage_requests:contract_detail", args=[contract.pk]))
    html = response.content.decode()
    assert "2 approved, 1 awaiting review, 0 rejected." in html
    assert page_url(contract) in html


def test_the_contract_page_says_when_nothing_was_submitted(login, contract, creator):
    html = login(creator).get(reverse("usage_requests:contract_detail", args=[contract.pk])).content.decode()
    assert "Nothing has been submitted yet." in html


def test_the_page_and_its_refusals_read_in_chinese_for_a_chinese_reader(login, contract, creator):
    creator.preferred_language = "zh-hans"
    creator.save(update_fields=["preferred_language"])
    client = login(creator)
    page = client.get(page_url(contract)).content.decode()
    assert "提交生成内容" in page
    refused = client.post(submit_url(contract), form_data(b"GIF89a"))
    assert "既不是 JPEG、PNG 或 WebP 图片" in refused.content.decode()
