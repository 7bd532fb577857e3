"""Likeness photos, data exports and account deletion on S3-compatible
object storage (moto's server on a loopback port, marketplace/tests/s3.py):
files land in the bucket, private files are answered with a short-lived
presigned redirect after the same access check, and deleting the account
empties the bucket. Every assertion reads the bucket with boto3; the last
tests show those assertions fail on local disk."""

import hashlib
import io
import zipfile
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from PIL import Image

from actors.models import AccessLogArchive, AssetAccess, DataExport, LikenessPhoto
from actors.services import access_log_archive_sweep, asset_access_record
from actors.services.privacy import export_download_path
from actors.tests.factories import image_upload, list_on_roster, photo_for
from marketplace.tests.s3 import S3Bucket, follow, use_bucket
from marketplace.tests.storage import STORAGE_REFUSED

pytestmark = [pytest.mark.s3, pytest.mark.django_db]

PHOTOS = "/actors/me/photos/"
PASSWORD = "correct horse battery"


def photo_url(photo: LikenessPhoto, kind: str) -> str:
    return f"/actors/photos/{photo.pk}/{kind}/"


def assert_presigned_redirect(response, bucket: S3Bucket, key: str) -> str:
    """The portal's answer is a 302 to a signed, short-lived URL of ``key``
    in the bucket, which no cache may keep; returns the URL."""
    assert response.status_code == 302, response.status_code
    url = response["Location"]
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == bucket.server.endpoint
    assert parts.path == f"/{bucket.name}/{key}"
    query = parse_qs(parts.query)
    assert query["X-Amz-Expires"] == ["60"]
    assert "X-Amz-Signature" in query
    assert {"private", "no-store"} <= {part.strip() for part in response["Cache-Control"].split(",")}
    assert response["Referrer-Policy"] == "no-referrer"
    return url


@pytest.fixture
def photo(s3_bucket, actor) -> LikenessPhoto:
    list_on_roster(actor.actor_profile)
    return photo_for(actor.actor_profile, seed=41)


def test_an_uploaded_photo_is_stored_in_the_bucket_and_not_on_disk(s3_bucket, login, actor, stored_files):
    response = login(actor).post(PHOTOS, {"photos": [image_upload("me.jpg", size=(120, 90), seed=5)]})
    assert response.status_code == 302
    photo = LikenessPhoto.objects.get(actor__user=actor)
    data = s3_bucket.assert_holds(photo.original.name)
    assert len(data) == photo.byte_size
    assert Image.open(io.BytesIO(data)).size == (120, 90)
    assert stored_files() == set()


def test_renditions_are_made_from_the_bucket_into_the_bucket(photo, s3_bucket):
    assert photo.renditions == LikenessPhoto.Renditions.READY
    assert s3_bucket.keys() == {photo.original.name, photo.thumbnail.name, photo.preview.name}
    assert Image.open(io.BytesIO(s3_bucket.read(photo.thumbnail.name))).size == (320, 320)


def test_the_owner_fetches_preview_and_original_through_a_presigned_redirect(photo, s3_bucket, login, actor):
    client = login(actor)
    preview = follow(assert_presigned_redirect(client.get(photo_url(photo, "preview")), s3_bucket, photo.preview.name))
    assert preview.status == 200
    assert preview.body == s3_bucket.read(photo.preview.name)
    assert preview.headers["content-type"] == "image/jpeg"
    assert preview.headers["content-disposition"] == f'inline; filename="consentcast-lin-xiaoyu-{photo.pk}-preview.jpg"'
    original = follow(
        assert_presigned_redirect(client.get(photo_url(photo, "original")), s3_bucket, photo.original.name)
    )
    assert original.body == s3_bucket.read(photo.original.name)
    assert original.headers["content-disposition"].startswith("attachment;")
    assert original.headers["cache-control"] == "private, no-store"


def test_a_creators_preview_is_logged_then_redirected(photo, s3_bucket, login, creator):
    response = login(creator).get(photo_url(photo, "preview"))
    assert follow(assert_presigned_redirect(response, s3_bucket, photo.preview.name)).status == 200
    access = AssetAccess.objects.get(photo=photo)
    assert (access.kind, access.outcome, access.viewer_id) == ("preview", "granted", creator.pk)


@pytest.mark.parametrize("kind", ["preview", "original"])
def test_someone_refused_gets_a_404_and_no_url(photo, s3_bucket, login, other_actor, kind):
    response = login(other_actor).get(photo_url(photo, kind))
    assert response.status_code == 404
    assert "Location" not in response
    assert s3_bucket.server.endpoint not in response.content.decode()


def test_an_object_gone_from_the_bucket_is_a_404_not_a_dead_link(photo, s3_bucket, login, actor):
    s3_bucket.server.client.delete_object(Bucket=s3_bucket.name, Key=photo.preview.name)
    assert login(actor).get(photo_url(photo, "preview")).status_code == 404


def test_an_upload_the_store_refuses_is_a_503_and_nothing_is_kept(s3_server, settings, login, actor):
    # The bucket does not exist: S3 answers NoSuchBucket, as a store that
    # lost its bucket or its permissions would.
    use_bucket(S3Bucket(name="consentcast-never-made", server=s3_server), settings)
    response = login(actor).post(PHOTOS, {"photos": [image_upload("me.jpg")]})
    assert response.status_code == 503
    assert STORAGE_REFUSED in response.content.decode()
    assert not LikenessPhoto.objects.filter(actor__user=actor).exists()


# --- The data export and deleting the account -----------------------------------------


@pytest.fixture
def ready_export(photo, login, actor, django_capture_on_commit_callbacks) -> DataExport:
    with django_capture_on_commit_callbacks(execute=True):
        assert login(actor).post("/actors/me/data/export/").status_code == 302
    export = DataExport.objects.get(actor__user=actor)
    assert export.status == DataExport.Status.READY
    return export


def test_the_data_export_is_built_into_the_bucket_and_downloaded_through_the_redirect(
    ready_export, photo, s3_bucket, login, actor
):
    stored = s3_bucket.assert_holds(ready_export.archive.name)
    response = login(actor).get(export_download_path(ready_export))
    fetched = follow(assert_presigned_redirect(response, s3_bucket, ready_export.archive.name))
    assert fetched.status == 200
    assert fetched.body == stored
    assert fetched.headers["content-type"] == "application/zip"
    assert fetched.headers["content-disposition"] == 'attachment; filename="consentcast-data-lin-xiaoyu.zip"'
    with zipfile.ZipFile(io.BytesIO(fetched.body)) as archive:
        assert archive.read(f"photos/photo-{photo.pk}.jpg") == s3_bucket.read(photo.original.name)
    assert AssetAccess.objects.filter(actor__user=actor, kind="export").count() == 1


def test_deleting_the_account_deletes_every_file_from_the_bucket(
    ready_export, s3_bucket, login, actor, django_capture_on_commit_callbacks
):
    photo_for(actor.actor_profile, seed=42)
    assert len(s3_bucket.keys()) == 7  # two photos of three files each, and the export
    with django_capture_on_commit_callbacks(execute=True):
        response = login(actor).post("/actors/me/data/delete/", {"password": PASSWORD})
    assert response.status_code == 302
    assert s3_bucket.keys() == set()


def test_an_access_log_month_is_archived_into_the_bucket_and_downloaded_through_the_redirect(
    photo, s3_bucket, login, actor, creator
):
    with time_machine.travel(datetime(2024, 1, 3, 9, tzinfo=UTC), tick=False):
        asset_access_record(photo=photo, viewer=creator, viewer_role="creator", kind="preview", granted=True)
    with time_machine.travel(datetime(2025, 6, 15, 12, tzinfo=UTC), tick=False):
        assert access_log_archive_sweep() == 1  # written, read back from the bucket, verified
    archive = AccessLogArchive.objects.get(actor__user=actor)
    stored = s3_bucket.assert_holds(archive.file.name)
    assert hashlib.sha256(stored).hexdigest() == archive.sha256
    response = login(actor).get(f"/actors/me/access/archives/{archive.pk}/")
    fetched = follow(assert_presigned_redirect(response, s3_bucket, archive.file.name))
    assert fetched.body == stored
    assert fetched.headers["content-type"] == "application/gzip"
    assert fetched.headers["content-disposition"] == 'attachment; filename="consentcast-access-log-2024-01.csv.gz"'


# --- The same checks on local disk fail ---------------------------------------------------


@pytest.fixture
def unused_bucket(s3_server) -> S3Bucket:
    """A bucket that exists but is not the default storage: local disk is."""
    bucket = S3Bucket(name="consentcast-unused", server=s3_server)
    if bucket.name not in {found["Name"] for found in s3_server.client.list_buckets()["Buckets"]}:
        s3_server.client.create_bucket(Bucket=bucket.name)
    return bucket


def test_on_local_disk_the_bucket_assertions_fail(unused_bucket, login, actor, stored_files):
    photo = photo_for(actor.actor_profile, seed=43)
    assert stored_files() == {photo.original.name, photo.thumbnail.name, photo.preview.name}
    with pytest.raises(AssertionError):
        unused_bucket.assert_holds(photo.original.name)
    response = login(actor).get(photo_url(photo, "preview"))
    assert response.status_code == 200  # streamed from disk, no redirect
    with pytest.raises(AssertionError):
        assert_presigned_redirect(response, unused_bucket, photo.preview.name)
