"""The stored files of generated outputs reach the contract's two parties
only: the submitted bytes as an attachment, the preview inline."""

import pytest
from django.urls import reverse

from usage_requests.tests.factories import active_contract, open_actor, stored_output

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_media_root(media_root):
    return media_root


@pytest.fixture
def output(actor, creator):
    contract = active_contract(actor=open_actor(actor.actor_profile), creator=creator.creator_profile)
    return stored_output(contract)


def _urls(output):
    args = [output.contract_id, output.pk]
    return reverse("usage_requests:output_file", args=args), reverse("usage_requests:output_preview", args=args)


@pytest.mark.parametrize("party", ["actor", "creator"])
def test_both_parties_download_the_submitted_bytes_unchanged(client, output, party, request):
    client.force_login(request.getfixturevalue(party))
    file_url, preview_url = _urls(output)
    response = client.get(file_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "attachment" in response["Content-Disposition"]
    body = b"".join(response.streaming_content)
    output.file.open("rb")
    assert body == output.file.read()
    preview = client.get(preview_url)
    assert preview.status_code == 200
    assert preview["Content-Type"] == "image/jpeg"


@pytest.mark.parametrize("outsider", ["other_actor", "other_creator", "moderator"])
def test_an_outsider_gets_404_for_both_files(client, output, outsider, request):
    client.force_login(request.getfixturevalue(outsider))
    for url in _urls(output):
        assert client.get(url).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, output):
    for url in _urls(output):
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_post_is_not_allowed(client, output, creator):
    client.force_login(creator)
    for url in _urls(output):
        assert client.post(url).status_code == 405


def test_an_output_of_another_contract_is_404_under_this_contract_path(client, output, creator):
    client.force_login(creator)
    url = reverse("usage_requests:output_file", args=[output.contract_id + 1000, output.pk])
    assert client.get(url).status_code == 404


def test_a_missing_preview_is_404(client, output, creator):
    output.preview = ""
    output.save()
    client.force_login(creator)
    assert client.get(_urls(output)[1]).status_code == 404
