"""Races on PostgreSQL: two submissions at the same instant, from real
threads with their own connections. Whichever wins, one row stands and the
loser's files are gone."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from marketplace.exceptions import InvalidTransition
from tests.race import race
from usage_requests.models import GeneratedOutput, OutputStatus
from usage_requests.services import OutputRefused, output_submit
from usage_requests.tests.factories import active_contract, open_actor, output_image, stored_output

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ITERATIONS = 3


@pytest.fixture(autouse=True)
def _own_media_root(media_root):
    return media_root


@pytest.fixture
def contract(actor, creator):
    return active_contract(actor=open_actor(actor.actor_profile), creator=creator.creator_profile)


def submitting(contract, creator, data: bytes, **kwargs):
    def submit():
        upload = SimpleUploadedFile("output.png", data, content_type="image/png")
        return output_submit(contract=contract, user=creator, shot_number=1, upload=upload, tool="Test", **kwargs)

    return submit


def _stored_names() -> set[str]:
    names: set[str] = set()
    for output in GeneratedOutput.objects.all():
        names |= {output.file.name, output.preview.name}
    return names


def test_the_same_file_twice_at_once_is_stored_once(contract, creator, stored_files):
    for seed in range(ITERATIONS):
        data = output_image(100 + seed)
        outcomes = race(submitting(contract, creator, data), submitting(contract, creator, data))
        kinds = sorted(kind for kind, _ in outcomes)
        assert kinds == ["error", "ok"], outcomes
        (error,) = [value for kind, value in outcomes if kind == "error"]
        assert isinstance(error, OutputRefused)
        assert error.code == "duplicate"
    assert GeneratedOutput.objects.filter(contract=contract).count() == ITERATIONS
    assert stored_files() == _stored_names()


def test_two_new_versions_of_one_output_at_once_make_one(contract, creator, stored_files):
    for seed in range(ITERATIONS):
        rejected = stored_output(contract, status=OutputStatus.REJECTED, seed=200 + seed)
        outcomes = race(
            submitting(contract, creator, output_image(300 + seed), replaces=rejected),
            submitting(contract, creator, output_image(400 + seed), replaces=rejected),
        )
        kinds = sorted(kind for kind, _ in outcomes)
        assert kinds == ["error", "ok"], outcomes
        (error,) = [value for kind, value in outcomes if kind == "error"]
        assert isinstance(error, InvalidTransition)
        assert GeneratedOutput.objects.filter(replaces=rejected).count() == 1
    assert stored_files() == _stored_names()
