"""Personal data: the export ZIP and its signed link, and deleting the account."""

import csv
import io
import json
import zipfile
from datetime import timedelta

import pytest
import time_machine
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.signing import TimestampSigner
from django.urls import reverse
from django.utils import timezone

from actors.models import ActorProfile, AssetAccess, ConsentRecord, DataExport, LikenessPhoto
from actors.selectors import listed_actors
from actors.services import actor_opt_in, asset_access_record, red_lines_update
from actors.services.privacy import EXPORT_SALT, export_download_path
from actors.tests.factories import list_on_roster, photo_for
from marketplace.models import AuditEvent, Notification, User

pytestmark = pytest.mark.django_db

DATA = "/actors/me/data/"
EXPORT = "/actors/me/data/export/"
DELETE = "/actors/me/data/delete/"
PASSWORD = "correct horse battery"


def stored(name: str) -> bytes:
    with default_storage.open(name, "rb") as handle:
        return handle.read()


def request_export(client, django_capture_on_commit_callbacks) -> DataExport:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(EXPORT)
    assert response.status_code == 302
    assert response.url == DATA
    return DataExport.objects.latest("id")


@pytest.fixture
def history(actor, creator):
    """An actor with something to export: consent, red lines, a photo and a look at it."""
    profile = actor.actor_profile
    actor_opt_in(actor=profile)
    red_lines_update(
        actor=profile,
        excluded_categories=["gambling"],
        blocked_keywords=["赌博"],
        accepted_territories=["cn_mainland"],
        ai_training_allowed=False,
        max_term_months=24,
    )
    photo = photo_for(profile, seed=95)
    asset_access_record(photo=photo, viewer=creator, viewer_role="creator", kind="preview", granted=True)
    return photo


@pytest.fixture
def ready_export(login, actor, history, django_capture_on_commit_callbacks) -> DataExport:
    return request_export(login(actor), django_capture_on_commit_callbacks)


# --- Export --------------------------------------------------------------------


def test_export_is_built_after_commit(ready_export, actor):
    assert ready_export.actor == actor.actor_profile
    assert ready_export.status == DataExport.Status.READY
    assert default_storage.exists(ready_export.archive.name)
    assert ready_export.expires_at == ready_export.ready_at + timedelta(seconds=settings.DATA_EXPORT_LINK_SECONDS)


def test_export_waits_for_the_commit(login, actor):
    login(actor).post(EXPORT)
    assert DataExport.objects.get().status == DataExport.Status.PENDING


def test_export_zip_holds_everything_about_the_actor(ready_export, history):
    with zipfile.ZipFile(io.BytesIO(stored(ready_export.archive.name))) as archive:
        names = set(archive.namelist())
        photo_name = f"photos/photo-{history.pk}.jpg"
        assert {
            "profile.json",
            "consent_history.json",
            "red_lines.json",
            "access_log.csv",
            "photos.json",
            photo_name,
        } <= names
        profile = json.loads(archive.read("profile.json"))
        consent = json.loads(archive.read("consent_history.json"))
        red_lines = json.loads(archive.read("red_lines.json"))
        access = list(csv.reader(io.StringIO(archive.read("access_log.csv").decode())))
        photos = json.loads(archive.read("photos.json"))
        photo_bytes = archive.read(photo_name)
    assert profile["stage_name"] == "Lin Xiaoyu"
    assert profile["email"] == "actor@example.com"
    assert [entry["action"] for entry in consent] == ["opt_in"]
    assert consent[0]["text"] == ConsentRecord.objects.get().text
    assert red_lines["blocked_keywords"] == ["赌博"]
    assert red_lines["max_term_months"] == 24
    assert access[0][0] == "time"
    assert [row[1] for row in access[1:]] == ["Lumen Pictures"]
    assert photos == [{"file": photo_name, "uploaded_at": history.created_at.isoformat(), "primary": True}]
    assert photo_bytes == stored(history.original.name)


def test_export_holds_nothing_of_another_actor(login, actor, other_actor, history, django_capture_on_commit_callbacks):
    theirs = photo_for(other_actor.actor_profile, seed=96)
    export = request_export(login(actor), django_capture_on_commit_callbacks)
    with zipfile.ZipFile(io.BytesIO(stored(export.archive.name))) as archive:
        assert f"photos/photo-{theirs.pk}.jpg" not in archive.namelist()
        assert "陈思远" not in archive.read("profile.json").decode()


def test_actor_is_told_the_export_is_ready(ready_export, actor):
    notification = Notification.objects.get(recipient=actor, kind="actors.data_export_ready")
    assert notification.url == DATA


def test_data_page_links_to_the_ready_export(login, actor, ready_export):
    # The link is signed with the current second: page and expectation must
    # be made in the same one.
    with time_machine.travel(timezone.now(), tick=False):
        page = login(actor).get(DATA).content.decode()
        assert export_download_path(ready_export) in page


def test_signed_link_downloads_the_zip(login, actor, ready_export):
    response = login(actor).get(export_download_path(ready_export))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert ".zip" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    content = b"".join(response.streaming_content)
    assert content == stored(ready_export.archive.name)
    assert zipfile.is_zipfile(io.BytesIO(content))


def test_downloading_the_export_is_in_the_access_log_and_audited(login, actor, ready_export):
    login(actor).get(export_download_path(ready_export))
    row = AssetAccess.objects.get(actor=actor.actor_profile, kind=AssetAccess.Kind.EXPORT)
    assert (row.viewer, row.outcome) == (actor, AssetAccess.Outcome.GRANTED)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DATA_EXPORTED, actor=actor).count() == 1


def test_link_to_another_actors_export_is_404(login, other_actor, ready_export):
    response = login(other_actor).get(export_download_path(ready_export))
    assert response.status_code == 404


def test_tampered_link_is_404(login, actor, ready_export):
    path = export_download_path(ready_export)
    token = path.rstrip("/").rsplit("/", 1)[-1]
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")
    response = login(actor).get(path.replace(token, forged))
    assert response.status_code == 404


@pytest.mark.parametrize("value", ["not-a-number", "999999"])
def test_link_signed_for_no_export_of_yours_is_404(login, actor, ready_export, value):
    token = TimestampSigner(salt=EXPORT_SALT).sign(value)
    response = login(actor).get(reverse("actors:data_export_download", args=[token]))
    assert response.status_code == 404


def test_expired_link_redirects_with_a_message_and_no_file(login, actor, ready_export):
    client = login(actor)
    path = export_download_path(ready_export)
    later = timezone.now() + timedelta(seconds=settings.DATA_EXPORT_LINK_SECONDS + 60)
    with time_machine.travel(later):
        response = client.get(path)
        assert response.status_code == 302
        assert response.url == DATA
        assert "Content-Disposition" not in response.headers
        page = client.get(DATA).content.decode()
    assert "This download link has expired. Request a new export." in page


def test_second_request_while_pending_reuses_the_export(login, actor):
    client = login(actor)
    client.post(EXPORT)
    client.post(EXPORT)
    assert DataExport.objects.count() == 1


# --- Account deletion ------------------------------------------------------------


def test_wrong_password_deletes_nothing(login, actor, ready_export, history, stored_files):
    files = stored_files()
    response = login(actor).post(DELETE, {"password": "not my password"})
    assert response.status_code == 400
    assert "That is not your password." in response.content.decode()
    user = User.objects.get(pk=actor.pk)
    assert user.is_active
    assert user.email == "actor@example.com"
    assert user.check_password(PASSWORD)
    profile = ActorProfile.objects.get(user=actor)
    assert profile.stage_name == "Lin Xiaoyu"
    assert profile.deleted_at is None
    assert LikenessPhoto.objects.filter(pk=history.pk).exists()
    assert stored_files() == files
    assert not AuditEvent.objects.filter(action="privacy.delete").exists()


@pytest.fixture
def deleted(login, actor, history, ready_export, django_capture_on_commit_callbacks):
    """The actor, with photos, an export and a tracked session, deletes the account."""
    photo_for(actor.actor_profile, seed=97)
    list_on_roster(actor.actor_profile)
    client = login(actor)
    assert client.get(DATA).status_code == 200
    assert UserSession.objects.filter(user=actor).exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(DELETE, {"password": PASSWORD})
    assert response.status_code == 302
    assert response.url == "/"
    return client


def test_deletion_removes_every_photo_rendition_and_export_file(deleted, stored_files):
    assert stored_files() == set()


def test_deletion_removes_photo_rows_and_exports(deleted, actor):
    assert not LikenessPhoto.objects.filter(actor__user=actor).exists()
    assert not DataExport.objects.filter(actor__user=actor).exists()


def test_deletion_anonymises_and_unlists_the_profile(deleted, actor):
    profile = ActorProfile.objects.get(user=actor)
    assert profile.stage_name == "—"
    assert profile.bio == ""
    assert profile.legal_name == ""
    assert profile.is_listed is False
    assert profile.opted_in is False
    assert profile.deleted_at is not None
    assert not listed_actors().filter(pk=profile.pk).exists()


def test_deletion_disables_the_login(deleted, actor):
    user = User.objects.get(pk=actor.pk)
    assert user.is_active is False
    assert not user.has_usable_password()
    assert user.email == f"deleted-{user.pk}@deleted.invalid"


def test_deletion_signs_the_actor_out_everywhere(deleted, actor):
    assert "_auth_user_id" not in deleted.session
    response = deleted.get("/actors/me/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
    assert not UserSession.objects.filter(user=actor).exists()


def test_deletion_keeps_the_consent_history_and_access_log(deleted, actor):
    profile = ActorProfile.objects.get(user=actor)
    assert [record.action for record in ConsentRecord.objects.filter(actor=profile)] == ["opt_in"]
    assert AssetAccess.objects.filter(actor=profile).count() == 1


def test_deletion_is_audited(deleted, actor):
    event = AuditEvent.objects.get(action="privacy.delete")
    assert event.actor_id == actor.pk
    assert event.ip_address == "127.0.0.1"


def test_deleted_actor_cannot_sign_in_again(deleted, client):
    response = client.post("/accounts/login/", {"login": "actor@example.com", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 302)
    assert not client.login(email="actor@example.com", password=PASSWORD)
