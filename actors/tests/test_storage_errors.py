"""Storage that refuses to write (an unwritable media directory, a full
disk): the actor is told that nothing was saved, never shown a 500, and
nothing is half-written: no row, no file."""

import pytest

from actors.models import DataExport, LikenessPhoto
from actors.services import data_export_request
from actors.tests.factories import image_upload, photo_for
from marketplace.tests.storage import STORAGE_REFUSED, refuse_writes

pytestmark = pytest.mark.django_db

PHOTOS = "/actors/me/photos/"
DATA = "/actors/me/data/"
EXPORT_FAILED = "We could not prepare this export, and nothing was kept."


def test_photo_upload_refused_by_storage_is_503_with_a_clear_message(login, actor, stored_files, monkeypatch):
    refuse_writes(monkeypatch)
    response = login(actor).post(PHOTOS, {"photos": [image_upload()]})
    assert response.status_code == 503
    assert response.context["form"].errors["photos"] == [STORAGE_REFUSED]
    assert STORAGE_REFUSED in response.content.decode()
    assert not LikenessPhoto.objects.exists()
    assert stored_files() == set()


def test_photo_upload_refused_halfway_keeps_not_even_the_first_photo(login, actor, stored_files, monkeypatch):
    let_through = refuse_writes(monkeypatch, after=1)
    response = login(actor).post(PHOTOS, {"photos": [image_upload(seed=1), image_upload(seed=2)]})
    assert response.status_code == 503
    assert len(let_through) == 1  # the first photo was written, then deleted
    assert not LikenessPhoto.objects.exists()
    assert stored_files() == set()


def test_export_refused_by_storage_fails_keeps_nothing_and_offers_to_try_again(
    login, actor, stored_files, monkeypatch, django_capture_on_commit_callbacks
):
    photo_for(actor.actor_profile)
    photos_on_disk = stored_files()
    refuse_writes(monkeypatch)
    client = login(actor)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/actors/me/data/export/").status_code == 302
    export = DataExport.objects.get(actor__user=actor)
    assert export.status == DataExport.Status.FAILED
    assert not export.archive
    assert stored_files() == photos_on_disk
    page = client.get(DATA)
    assert EXPORT_FAILED in page.content.decode()
    assert page.context["exports"][0]["retry"]


def test_after_a_refused_export_trying_again_builds_a_new_one(
    login, actor, monkeypatch, django_capture_on_commit_callbacks
):
    refuse_writes(monkeypatch)
    with django_capture_on_commit_callbacks(execute=True):
        failed = data_export_request(actor=actor.actor_profile)
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        assert login(actor).post("/actors/me/data/export/").status_code == 302
    latest = DataExport.objects.filter(actor__user=actor).exclude(pk=failed.pk).get()
    assert latest.status == DataExport.Status.READY
    assert latest.archive
