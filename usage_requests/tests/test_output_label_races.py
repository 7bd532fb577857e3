"""Two workers labelling one output at the same instant, on PostgreSQL from
real threads with their own connections: both make a copy, one
compare-and-set keeps the first, the other deletes its own file."""

import threading

import pytest
from django.utils import timezone

from tests.race import race
from usage_requests.services import output_labels
from usage_requests.services.output_labels import output_labelled_make
from usage_requests.tests.factories import active_contract, open_actor, stored_output

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ITERATIONS = 3


def test_two_workers_at_once_keep_one_labelled_copy(
    actor, creator, media_root, stored_files, monkeypatch, settings, tmp_path
):
    settings.C2PA_SIGNING_CERT = settings.C2PA_SIGNING_KEY = settings.C2PA_TRUST_ANCHORS = ""
    settings.C2PA_DEV_DIR = tmp_path / "c2pa"
    contract = active_contract(actor=open_actor(actor.actor_profile), creator=creator.creator_profile)
    real = output_labels._store_labelled_copy
    for seed in range(1, ITERATIONS + 1):
        output = stored_output(contract, seed=seed, status="approved", reviewed_at=timezone.now())
        both_stored = threading.Barrier(2)

        def store_then_wait(output, both_stored=both_stored):
            name = real(output)
            both_stored.wait(timeout=10)  # each has its own file before either sets the column
            return name

        monkeypatch.setattr(output_labels, "_store_labelled_copy", store_then_wait)

        def label(pk=output.pk):
            return output_labelled_make(output_id=pk)

        outcomes = race(label, label)

        assert [kind for kind, _ in outcomes] == ["ok", "ok"], outcomes
        names = {value.labelled.name for _, value in outcomes}
        output.refresh_from_db()
        assert names == {output.labelled.name}
        assert stored_files(f"outputs/{contract.pk}/labelled") >= {output.labelled.name}
    assert len(stored_files(f"outputs/{contract.pk}/labelled")) == ITERATIONS
