"""The actor's review page ``/contracts/<pk>/outputs/review/``, the verdict
on one output, a batch, the way there from the contract page, and the
accept-time choice "generated outputs need my approval" on the request
page."""

import pytest
from django.urls import reverse

from marketplace.models import Notification, User
from usage_requests.models import Contract, ContractEvent, ContractStatus, GeneratedOutput, OutputStatus
from usage_requests.services import usage_request_accept, usage_request_decide_shots
from usage_requests.tests.factories import active_contract, decide_all, open_actor, send_request, stored_output

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_media_root(media_root):
    return media_root


@pytest.fixture
def contract(actor, creator) -> Contract:
    return active_contract(actor=open_actor(actor.actor_profile), creator=creator.creator_profile)


@pytest.fixture
def output(contract) -> GeneratedOutput:
    return stored_output(contract, shot_number=1)


def page_url(contract) -> str:
    return reverse("usage_requests:outputs_review", args=[contract.pk])


def single_url(output) -> str:
    return reverse("usage_requests:output_review", args=[output.contract_id, output.pk])


def status_of(output) -> str:
    output.refresh_from_db()
    return output.status


def flash(response) -> list[str]:
    return [str(message) for message in response.wsgi_request._messages]


# --- Who may ---------------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(client, output):
    for response in (
        client.get(page_url(output.contract)),
        client.post(single_url(output), {"verdict": "approve"}),
        client.post(page_url(output.contract), {f"verdict_{output.pk}": "approve"}),
    ):
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
    assert status_of(output) == OutputStatus.PENDING


def test_wrong_method_is_405(client, actor, output):
    client.force_login(actor)
    assert client.put(page_url(output.contract)).status_code == 405
    assert client.get(single_url(output)).status_code == 405


@pytest.mark.parametrize("outsider", ["other_actor", "other_creator", "moderator"])
def test_an_outsider_gets_404_and_nothing_changes(client, output, outsider, request):
    client.force_login(request.getfixturevalue(outsider))
    assert client.get(page_url(output.contract)).status_code == 404
    assert client.post(single_url(output), {"verdict": "approve"}).status_code == 404
    assert client.post(page_url(output.contract), {f"verdict_{output.pk}": "approve"}).status_code == 404
    assert status_of(output) == OutputStatus.PENDING


def test_the_creator_gets_403_and_nothing_changes(client, creator, output):
    client.force_login(creator)
    assert client.get(page_url(output.contract)).status_code == 403
    assert client.post(single_url(output), {"verdict": "approve"}).status_code == 403
    assert client.post(page_url(output.contract), {f"verdict_{output.pk}": "approve"}).status_code == 403
    assert status_of(output) == OutputStatus.PENDING


def test_an_output_of_another_contract_is_404_under_this_one(client, actor, output, other_actor, other_creator):
    other = active_contract(actor=open_actor(other_actor.actor_profile), creator=other_creator.creator_profile)
    theirs = stored_output(other, seed=4)
    client.force_login(actor)
    url = reverse("usage_requests:output_review", args=[output.contract_id, theirs.pk])
    assert client.post(url, {"verdict": "approve"}).status_code == 404
    assert status_of(theirs) == OutputStatus.PENDING


# --- The page ---------------------------------------------------------------------------


def test_the_page_shows_each_waiting_output_beside_its_shot_and_the_actors_note(client, actor, creator):
    request = send_request(actor=open_actor(actor.actor_profile), creator=creator.creator_profile)
    decisions = {
        row.pk: ("approved", f"Keep shot {row.shot.number} in shadow")
        for row in request.request_shots.select_related("shot")
    }
    usage_request_decide_shots(request=request, user=actor, decisions=decisions)
    contract = usage_request_accept(request=request, user=actor, terms_version=1)
    Contract.objects.filter(pk=contract.pk).update(status=ContractStatus.ACTIVE)
    shot = contract.snapshot["shots"][1]
    assert shot["actor_note"] == f"Keep shot {shot['number']} in shadow"
    output = stored_output(contract, shot_number=shot["number"], tool="Kling 2.1")
    client.force_login(actor)
    response = client.get(page_url(contract))
    assert response.status_code == 200
    page = response.content.decode()
    assert shot["description"] in page
    (group,) = response.context["groups"]
    assert group["shot"]["number"] == shot["number"]
    assert group["shot"]["actor_note"] == shot["actor_note"]
    assert shot["actor_note"] in page
    assert [row[0].pk for row in group["rows"]] == [output.pk]
    assert reverse("usage_requests:output_preview", args=[contract.pk, output.pk]) in page
    assert output.sha256 in page
    assert "Kling 2.1" in page
    assert reverse("usage_requests:output_review", args=[contract.pk, output.pk]) in page


def test_a_video_is_shown_with_its_poster_and_a_player(client, actor, contract, output):
    GeneratedOutput.objects.filter(pk=output.pk).update(kind="video", content_type="video/mp4", duration_seconds=4.5)
    client.force_login(actor)
    page = client.get(page_url(contract)).content.decode()
    file_url = reverse("usage_requests:output_file", args=[contract.pk, output.pk])
    preview_url = reverse("usage_requests:output_preview", args=[contract.pk, output.pk])
    assert f'poster="{preview_url}"' in page
    assert f'<source src="{file_url}" type="video/mp4">' in page
    assert "4.5" in page


def test_a_replacement_shows_the_note_of_the_version_it_answers(client, actor, contract):
    rejected = stored_output(contract, seed=1, status=OutputStatus.REJECTED, review_note="Eyes look wrong")
    stored_output(contract, seed=2, version=2, replaces=rejected)
    client.force_login(actor)
    page = client.get(page_url(contract)).content.decode()
    assert "Version 1, which you rejected:" in page
    assert page.count("Eyes look wrong") == 2  # beside the new version, and in the reviewed list


def test_reviewed_outputs_are_listed_below_with_their_verdict(client, actor, contract):
    stored_output(contract, seed=1, status=OutputStatus.APPROVED, review_note="Lovely")
    client.force_login(actor)
    response = client.get(page_url(contract))
    assert response.context["groups"] == []
    assert [output.review_note for output in response.context["reviewed"]] == ["Lovely"]
    assert "No generated output waits for your review." in response.content.decode()


def test_the_page_query_count_does_not_grow_with_outputs(client, actor, contract, django_assert_max_num_queries):
    client.force_login(actor)
    for seed in range(1, 3):
        stored_output(contract, shot_number=1 + seed % 3, seed=seed)
    client.get(page_url(contract))  # warm the session and the content types
    with django_assert_max_num_queries(12) as few:
        client.get(page_url(contract))
    for seed in range(3, 13):
        stored_output(contract, shot_number=1 + seed % 3, seed=seed)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(page_url(contract))
    assert response.context["pending_count"] == 12


# --- One output -------------------------------------------------------------------------


def test_approving_one_output_redirects_back_with_a_message(client, actor, creator, output):
    client.force_login(actor)
    response = client.post(single_url(output), {"verdict": "approve", "note": ""})
    assert response.status_code == 302
    assert response["Location"] == page_url(output.contract)
    assert status_of(output) == OutputStatus.APPROVED
    assert flash(response) == ["You approved the output for shot 1 (version 1)."]
    assert Notification.objects.filter(recipient=creator, kind="outputs.approved").exists()


def test_rejecting_without_a_note_rerenders_with_400_and_changes_nothing(client, actor, output):
    client.force_login(actor)
    response = client.post(single_url(output), {"verdict": "reject", "note": "  "})
    assert response.status_code == 400
    assert "Say why you reject the output" in response.content.decode()
    assert status_of(output) == OutputStatus.PENDING
    assert not ContractEvent.objects.filter(kind="output_rejected").exists()


@pytest.mark.parametrize("data", [{}, {"verdict": "maybe"}, {"verdict": "approve", "note": "bad\x07"}])
def test_a_malformed_verdict_is_400_and_changes_nothing(client, actor, output, data):
    client.force_login(actor)
    assert client.post(single_url(output), data).status_code == 400
    assert status_of(output) == OutputStatus.PENDING


def test_rejecting_with_a_note_saves_it(client, actor, output):
    client.force_login(actor)
    response = client.post(single_url(output), {"verdict": "reject", "note": "Not my smile"})
    assert response.status_code == 302
    output.refresh_from_db()
    assert (output.status, output.review_note) == (OutputStatus.REJECTED, "Not my smile")


def test_reviewing_a_reviewed_output_says_so_and_changes_nothing(client, actor, contract):
    output = stored_output(contract, status=OutputStatus.APPROVED)
    client.force_login(actor)
    response = client.post(single_url(output), {"verdict": "reject", "note": "changed my mind"})
    assert response.status_code == 302
    assert "already reviewed" in flash(response)[0]
    assert status_of(output) == OutputStatus.APPROVED


# --- A batch ----------------------------------------------------------------------------


def test_a_batch_reviews_the_chosen_outputs_and_leaves_the_others(client, actor, creator, contract):
    first, second, third = (stored_output(contract, shot_number=n, seed=n) for n in (1, 2, 3))
    client.force_login(actor)
    response = client.post(
        page_url(contract),
        {f"verdict_{first.pk}": "approve", f"verdict_{second.pk}": "reject", f"note_{second.pk}": "Too dark"},
    )
    assert response.status_code == 302
    assert [status_of(o) for o in (first, second, third)] == ["approved", "rejected", "pending"]
    assert flash(response) == ["You reviewed 2 outputs (1 approved, 1 rejected). The creator has been told."]
    assert Notification.objects.filter(recipient=creator, kind="outputs.reviewed").count() == 1


def test_a_batch_rejection_without_a_note_is_400_and_changes_nothing(client, actor, contract):
    first, second = stored_output(contract, seed=1), stored_output(contract, seed=2)
    client.force_login(actor)
    response = client.post(page_url(contract), {f"verdict_{first.pk}": "approve", f"verdict_{second.pk}": "reject"})
    assert response.status_code == 400
    assert [status_of(first), status_of(second)] == ["pending", "pending"]


def test_a_batch_without_any_verdict_is_400(client, actor, contract, output):
    client.force_login(actor)
    response = client.post(page_url(contract), {f"note_{output.pk}": "hmm"})
    assert response.status_code == 400
    assert "Choose approve or reject for at least one output." in response.content.decode()
    assert status_of(output) == OutputStatus.PENDING


# --- The way there, and the accept-time choice --------------------------------------------


def test_the_contract_page_links_the_actor_to_the_review_with_the_count(client, actor, contract):
    stored_output(contract, seed=1)
    stored_output(contract, seed=2)
    stored_output(contract, seed=3, status=OutputStatus.APPROVED)
    client.force_login(actor)
    response = client.get(reverse("usage_requests:contract_detail", args=[contract.pk]))
    page = response.content.decode()
    assert response.context["outputs_waiting"] == 2
    assert "Review generated outputs (2 waiting)" in page
    assert page_url(contract) in page
    assert "Each one needs the actor's approval" in page


def test_the_creator_sees_no_review_link(client, creator, contract):
    stored_output(contract)
    client.force_login(creator)
    page = client.get(reverse("usage_requests:contract_detail", args=[contract.pk])).content.decode()
    assert page_url(contract) not in page


def _ready(actor, creator):
    request = send_request(actor=open_actor(actor.actor_profile), creator=creator.creator_profile)
    decide_all(request)
    return request


def test_the_request_page_offers_the_choice_with_approval_by_default(client, actor, creator):
    request = _ready(actor, creator)
    client.force_login(actor)
    page = client.get(reverse("usage_requests:request_detail", args=[request.pk])).content.decode()
    assert 'name="outputs_need_approval" value="needed" id="outputs-approval-accept-1" checked' in page
    assert 'value="not_needed" id="outputs-approval-accept-2">' in page
    assert "Approval not needed" in page


@pytest.mark.parametrize(("posted", "expected"), [({}, True), ({"outputs_need_approval": "not_needed"}, False)])
def test_accepting_on_the_page_keeps_the_choice_on_the_contract(client, actor, creator, posted, expected):
    request = _ready(actor, creator)
    client.force_login(actor)
    url = reverse("usage_requests:request_accept", args=[request.pk])
    assert client.post(url, {"terms_version": 1, **posted}).status_code == 302
    contract = Contract.objects.get(request=request)
    assert contract.outputs_need_approval is expected
    page = client.get(reverse("usage_requests:contract_detail", args=[contract.pk])).content.decode()
    assert ("Approved on submission" in page) is not expected


def test_deciding_and_accepting_on_the_page_keeps_the_choice(client, actor, creator):
    request = _ready(actor, creator)
    client.force_login(actor)
    url = reverse("usage_requests:request_decide", args=[request.pk])
    data = {"terms_version": 1, "action": "accept", "outputs_need_approval": "not_needed"}
    assert client.post(url, data).status_code == 302
    assert Contract.objects.get(request=request).outputs_need_approval is False


def test_an_unknown_choice_is_400_and_no_contract_is_made(client, actor, creator):
    request = _ready(actor, creator)
    client.force_login(actor)
    url = reverse("usage_requests:request_accept", args=[request.pk])
    assert client.post(url, {"terms_version": 1, "outputs_need_approval": "sometimes"}).status_code == 400
    assert not Contract.objects.filter(request=request).exists()


def test_a_chinese_speaking_actor_reads_the_page_in_chinese(client, actor, contract, output):
    User.objects.filter(pk=actor.pk).update(preferred_language="zh-hans")
    client.force_login(actor)
    page = client.get(page_url(contract), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "审核生成作品" in page
    assert "一次审核多个" in page
    detail = client.get(reverse("usage_requests:contract_detail", args=[contract.pk])).content.decode()
    assert "审核生成作品（1 个待审核）" in detail
