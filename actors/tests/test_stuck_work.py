"""Work a killed worker left pending: photo renditions and data exports are
queued again once past the tasks' hard time limit, counted on the row, and
failed after their last attempt; the actor then sees a message and a "try
again" button. Running the sweep twice changes nothing twice."""

from collections import Counter
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from actors.models import DataExport, LikenessPhoto
from actors.services import data_export_request, photo_renditions_retry, photo_upload, stuck_work_requeue
from actors.services.sweeps import _requeue_or_fail, pending_work
from actors.tasks import requeue_stuck_work
from actors.tests.factories import image_upload, photo_for
from marketplace.celery import app
from marketplace.exceptions import InvalidTransition
from marketplace.schedule import BEAT_SCHEDULE

pytestmark = pytest.mark.django_db

PHOTOS = "/actors/me/photos/"
DATA = "/actors/me/data/"
PROCESSING_FAILED = "Could not process this photo."
EXPORT_FAILED = "We could not prepare this export, and nothing was kept."


@pytest.fixture
def lost_photo(actor) -> LikenessPhoto:
    """Uploaded, its renditions task lost: never run (the test's transaction
    never commits, so nothing queued on commit runs)."""
    (photo,) = photo_upload(actor=actor.actor_profile, files=[image_upload()])
    return photo


@pytest.fixture
def lost_export(actor) -> DataExport:
    return data_export_request(actor=actor.actor_profile)


def after(seconds: float):
    """The clock ``seconds`` from now, standing still."""
    return time_machine.travel(timezone.now() + timedelta(seconds=seconds), tick=False)


def past_the_limit(step: int = 1):
    return after(step * (settings.STUCK_WORK_AFTER_SECONDS + 1))


def sweep_until_failed(capture) -> None:
    """One sweep per limit passed, as beat would run them, until the item fails."""
    for step in range(1, settings.STUCK_WORK_MAX_ATTEMPTS + 1):
        with past_the_limit(step), capture(execute=False):
            stuck_work_requeue()


# --- Settings and schedule --------------------------------------------------------


def test_the_sweep_runs_on_beat_every_configured_interval():
    entry = BEAT_SCHEDULE["requeue-stuck-work"]
    assert entry == {"task": "actors.requeue_stuck_work", "schedule": float(settings.STUCK_WORK_SWEEP_SECONDS)}
    assert requeue_stuck_work.name == "actors.requeue_stuck_work"


def test_the_limit_is_past_the_tasks_hard_time_limit():
    assert app.conf.task_time_limit < settings.STUCK_WORK_AFTER_SECONDS


# --- Photo renditions -------------------------------------------------------------


def test_pending_photo_within_the_limit_is_left_alone(lost_photo, django_capture_on_commit_callbacks):
    with after(settings.STUCK_WORK_AFTER_SECONDS - 1), django_capture_on_commit_callbacks() as queued:
        assert stuck_work_requeue() == Counter()
    assert queued == []
    lost_photo.refresh_from_db()
    assert lost_photo.attempts == 1


def test_pending_photo_past_the_limit_is_queued_again_once_and_made(lost_photo, django_capture_on_commit_callbacks):
    with past_the_limit(), django_capture_on_commit_callbacks(execute=True) as queued:
        assert requeue_stuck_work.delay().get() == {"requeued": 1}
        now = timezone.now()
    assert len(queued) == 1
    lost_photo.refresh_from_db()
    assert lost_photo.attempts == 2
    assert lost_photo.queued_at == now
    assert lost_photo.renditions == LikenessPhoto.Renditions.READY
    assert lost_photo.thumbnail
    assert lost_photo.preview


def test_a_second_sweep_at_the_same_time_changes_nothing_twice(lost_photo, django_capture_on_commit_callbacks):
    with past_the_limit(), django_capture_on_commit_callbacks() as queued:
        assert stuck_work_requeue() == Counter(requeued=1)
        assert stuck_work_requeue() == Counter()
    assert len(queued) == 1
    lost_photo.refresh_from_db()
    assert lost_photo.attempts == 2


def test_two_sweeps_that_read_the_same_row_claim_it_once(lost_photo, django_capture_on_commit_callbacks):
    photos = pending_work()[0]
    with past_the_limit(), django_capture_on_commit_callbacks() as queued:
        outcomes = [_requeue_or_fail(photos, lost_photo.pk, attempts=1) for _sweep in range(2)]
    assert outcomes == ["requeued", None]
    assert len(queued) == 1
    lost_photo.refresh_from_db()
    assert lost_photo.attempts == 2


def test_after_the_last_attempt_the_photo_is_failed_and_the_actor_can_try_again(
    lost_photo, login, actor, django_capture_on_commit_callbacks
):
    sweep_until_failed(django_capture_on_commit_callbacks)
    lost_photo.refresh_from_db()
    assert lost_photo.renditions == LikenessPhoto.Renditions.FAILED
    assert lost_photo.attempts == settings.STUCK_WORK_MAX_ATTEMPTS
    page = login(actor).get(PHOTOS).content.decode()
    assert PROCESSING_FAILED in page
    assert f'action="/actors/me/photos/{lost_photo.pk}/retry/"' in page


def test_a_failed_photo_is_not_swept_again(lost_photo, django_capture_on_commit_callbacks):
    sweep_until_failed(django_capture_on_commit_callbacks)
    with past_the_limit(10), django_capture_on_commit_callbacks() as queued:
        assert stuck_work_requeue() == Counter()
    assert queued == []


def test_try_again_queues_the_renditions_anew(lost_photo, login, actor, django_capture_on_commit_callbacks):
    sweep_until_failed(django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True) as queued:
        response = login(actor).post(f"{PHOTOS}{lost_photo.pk}/retry/")
    assert response.status_code == 302
    assert len(queued) == 1
    lost_photo.refresh_from_db()
    assert lost_photo.renditions == LikenessPhoto.Renditions.READY
    assert lost_photo.attempts == 1


def test_try_again_is_refused_for_a_photo_that_did_not_fail(actor):
    photo = photo_for(actor.actor_profile)
    with pytest.raises(InvalidTransition):
        photo_renditions_retry(photo=photo)
    photo.refresh_from_db()
    assert photo.renditions == LikenessPhoto.Renditions.READY


def test_try_again_is_a_post_for_the_owner_only(lost_photo, login, actor, other_actor):
    url = f"{PHOTOS}{lost_photo.pk}/retry/"
    assert login(actor).get(url).status_code == 405
    assert login(other_actor).post(url).status_code == 404


# --- Data exports ---------------------------------------------------------------------


def test_pending_export_past_the_limit_is_queued_again_and_built(lost_export, django_capture_on_commit_callbacks):
    with past_the_limit(), django_capture_on_commit_callbacks(execute=True):
        assert stuck_work_requeue() == Counter(requeued=1)
    lost_export.refresh_from_db()
    assert lost_export.attempts == 2
    assert lost_export.status == DataExport.Status.READY


def test_after_the_last_attempt_the_export_is_failed_and_a_new_one_can_be_asked(
    lost_export, login, actor, django_capture_on_commit_callbacks
):
    sweep_until_failed(django_capture_on_commit_callbacks)
    lost_export.refresh_from_db()
    assert lost_export.status == DataExport.Status.FAILED
    assert lost_export.attempts == settings.STUCK_WORK_MAX_ATTEMPTS
    client = login(actor)
    page = client.get(DATA)
    assert EXPORT_FAILED in page.content.decode()
    assert page.context["exports"][0]["retry"]
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/actors/me/data/export/").status_code == 302
    fresh = DataExport.objects.exclude(pk=lost_export.pk).get(actor__user=actor)
    assert fresh.status == DataExport.Status.READY


def test_a_failed_export_does_not_block_a_new_request(actor):
    failed = DataExport.objects.create(actor=actor.actor_profile, status=DataExport.Status.FAILED)
    fresh = data_export_request(actor=actor.actor_profile)
    assert fresh.pk != failed.pk
    assert fresh.status == DataExport.Status.PENDING


def test_a_pending_export_is_still_returned_while_it_is_being_prepared(lost_export, actor):
    assert data_export_request(actor=actor.actor_profile).pk == lost_export.pk
