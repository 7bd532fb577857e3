"""Periodic and queued work of the actor side: safe to run twice."""

from datetime import timedelta

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from actors.models import DataExport, LikenessPhoto
from actors.services import data_exports_purge_expired, photo_renditions_make
from actors.tasks import make_photo_renditions, purge_expired_data_exports
from actors.tests.factories import ActorProfileFactory, photo_for


@pytest.fixture
def export(db):
    actor = ActorProfileFactory()
    name = default_storage.save(f"exports/{actor.pk}/test.zip", ContentFile(b"PK"))
    now = timezone.now()
    return DataExport.objects.create(
        actor=actor, status=DataExport.Status.READY, archive=name, ready_at=now, expires_at=now + timedelta(days=7)
    )


def test_expired_export_is_deleted_with_its_file(export, django_capture_on_commit_callbacks):
    with time_machine.travel(timezone.now() + timedelta(days=8)), django_capture_on_commit_callbacks(execute=True):
        assert purge_expired_data_exports.delay().get() == 1
    assert not DataExport.objects.filter(pk=export.pk).exists()
    assert not default_storage.exists(export.archive.name)


def test_purging_twice_deletes_nothing_more(export, django_capture_on_commit_callbacks):
    with time_machine.travel(timezone.now() + timedelta(days=8)), django_capture_on_commit_callbacks(execute=True):
        assert data_exports_purge_expired() == 1
        assert data_exports_purge_expired() == 0


def test_export_still_valid_is_kept(export):
    assert data_exports_purge_expired() == 0
    assert default_storage.exists(export.archive.name)


def test_making_renditions_twice_keeps_the_first_files(db):
    photo = photo_for(ActorProfileFactory())
    thumbnail, preview = photo.thumbnail.name, photo.preview.name
    make_photo_renditions.delay(photo.pk)
    photo.refresh_from_db()
    assert (photo.thumbnail.name, photo.preview.name) == (thumbnail, preview)
    assert photo.renditions == LikenessPhoto.Renditions.READY


def test_renditions_for_a_deleted_photo_do_nothing(db):
    assert photo_renditions_make(photo_id=987654) is None
