"""Live status without reload: a photo being processed and a data export
being prepared each poll a small fragment of their own (htmx), which stops
polling once the item is ready or failed; the fragments are the actor's own
(404 for anyone else) and cheap. And the upload's progress: the photos page
loads its script with the CSP nonce, and the script's JSON answers."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from actors.models import DataExport, LikenessPhoto
from actors.services import photo_renditions_make, photo_upload
from actors.tests.factories import image_upload, photo_for
from marketplace.models import AuditEvent
from marketplace.tests.storage import STORAGE_REFUSED, refuse_writes

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
SCRIPT = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest", "HTTP_ACCEPT": "application/json"}
PHOTOS = "/actors/me/photos/"
DATA = "/actors/me/data/"


def photo_status(photo) -> str:
    return f"/actors/me/photos/{photo.pk}/status/"


def export_status(export) -> str:
    return f"/actors/me/data/exports/{export.pk}/status/"


@pytest.fixture
def pending_photo(actor):
    (photo,) = photo_upload(actor=actor.actor_profile, files=[image_upload(seed=31)])
    return photo


@pytest.fixture
def pending_export(actor):
    return DataExport.objects.create(actor=actor.actor_profile)


def polls(html: str) -> bool:
    return 'hx-trigger="every' in html


# --- Photos --------------------------------------------------------------------------


def test_a_photo_being_processed_polls_its_own_status_on_the_page(login, actor, pending_photo):
    page = login(actor).get(PHOTOS).content.decode()
    assert f'hx-get="{photo_status(pending_photo)}"' in page
    assert 'hx-trigger="every 3s"' in page


def test_a_ready_photo_does_not_poll(login, actor):
    photo = photo_for(actor.actor_profile, seed=32)
    page = login(actor).get(PHOTOS).content.decode()
    assert photo_status(photo) not in page
    assert not polls(page)


def test_the_photo_fragment_keeps_polling_while_processing(login, actor, pending_photo):
    response = login(actor).get(photo_status(pending_photo), **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<li class="col" id="photo-{pending_photo.pk}"')
    assert polls(html)
    assert "Processing…" in html
    assert "<html" not in html
    assert response["Cache-Control"] == "private, no-store"


def test_the_photo_fragment_stops_polling_once_ready_and_shows_the_thumbnail(login, actor, pending_photo):
    photo_renditions_make(photo_id=pending_photo.pk)
    html = login(actor).get(photo_status(pending_photo), **HTMX).content.decode()
    assert not polls(html)
    assert f'src="/actors/photos/{pending_photo.pk}/thumbnail/"' in html
    assert f'href="/actors/photos/{pending_photo.pk}/preview/"' in html


def test_the_photo_fragment_stops_polling_once_failed_and_offers_to_try_again(login, actor, pending_photo):
    LikenessPhoto.objects.filter(pk=pending_photo.pk).update(renditions=LikenessPhoto.Renditions.FAILED)
    html = login(actor).get(photo_status(pending_photo), **HTMX).content.decode()
    assert not polls(html)
    assert 'data-testid="photo-failed"' in html
    assert f'action="/actors/me/photos/{pending_photo.pk}/retry/"' in html


def test_the_photo_fragment_knows_its_place_in_the_grid(login, actor, pending_photo):
    (second,) = photo_upload(actor=actor.actor_profile, files=[image_upload(seed=33)])
    client = login(actor)
    first_card = client.get(photo_status(pending_photo), **HTMX).content.decode()
    last_card = client.get(photo_status(second), **HTMX).content.decode()
    assert 'value="up"' not in first_card
    assert 'value="down"' in first_card
    assert 'value="up"' in last_card
    assert 'value="down"' not in last_card
    assert "Processing…" in last_card


def test_another_actors_photo_status_is_404_and_audited(login, other_actor, pending_photo):
    response = login(other_actor).get(photo_status(pending_photo), **HTMX)
    assert response.status_code == 404
    assert AuditEvent.objects.filter(action=AuditEvent.Action.AUTHZ_DENIED, actor=other_actor).exists()


def test_an_unknown_photo_status_is_404(login, actor):
    assert login(actor).get("/actors/me/photos/987654/status/", **HTMX).status_code == 404


def test_the_photo_status_without_htmx_goes_to_the_page(login, actor, pending_photo):
    response = login(actor).get(photo_status(pending_photo))
    assert response.status_code == 302
    assert response.url == PHOTOS


def actor_queries(context: CaptureQueriesContext) -> int:
    """The queries on the actor side's tables (the rest, the session and the
    sessions list, every signed-in page pays)."""
    return sum('"actors_' in query["sql"] for query in context.captured_queries)


def test_the_photo_fragment_costs_two_queries_whatever_the_photos(login, actor, pending_photo):
    client = login(actor)
    client.get(photo_status(pending_photo), **HTMX)
    with CaptureQueriesContext(connection) as one:
        client.get(photo_status(pending_photo), **HTMX)
    photo_upload(actor=actor.actor_profile, files=[image_upload(seed=40 + n) for n in range(5)])
    with CaptureQueriesContext(connection) as six:
        assert client.get(photo_status(pending_photo), **HTMX).status_code == 200
    assert len(six.captured_queries) == len(one.captured_queries)
    assert actor_queries(one) == 2  # the actor's profile, their photos
    assert len(one.captured_queries) <= 9


# --- Data exports -------------------------------------------------------------------


def test_an_export_being_prepared_polls_its_own_status_on_the_page(login, actor, pending_export):
    page = login(actor).get(DATA).content.decode()
    assert f'hx-get="{export_status(pending_export)}"' in page
    assert polls(page)


def test_the_export_fragment_keeps_polling_while_being_prepared(login, actor, pending_export):
    response = login(actor).get(export_status(pending_export), **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith("<li")
    assert polls(html)
    assert "Being prepared" in html
    assert response["Cache-Control"] == "private, no-store"


def test_the_export_fragment_stops_polling_once_ready_with_its_download_link(login, actor, pending_export):
    now = timezone.now()
    DataExport.objects.filter(pk=pending_export.pk).update(
        status=DataExport.Status.READY, ready_at=now, expires_at=now + timezone.timedelta(days=7)
    )
    html = login(actor).get(export_status(pending_export), **HTMX).content.decode()
    assert not polls(html)
    assert "Ready to download" in html
    assert re.search(r'href="/actors/me/data/exports/[^"/]+/"', html)


def test_the_export_fragment_stops_polling_once_failed_and_offers_to_try_again(login, actor, pending_export):
    DataExport.objects.filter(pk=pending_export.pk).update(status=DataExport.Status.FAILED)
    html = login(actor).get(export_status(pending_export), **HTMX).content.decode()
    assert not polls(html)
    assert 'data-testid="export-failed"' in html
    assert 'action="/actors/me/data/export/"' in html


def test_a_failed_export_that_is_not_the_latest_offers_no_retry(login, actor, pending_export):
    DataExport.objects.filter(pk=pending_export.pk).update(status=DataExport.Status.FAILED)
    DataExport.objects.create(actor=actor.actor_profile)
    html = login(actor).get(export_status(pending_export), **HTMX).content.decode()
    assert 'data-testid="export-failed"' in html
    assert 'action="/actors/me/data/export/"' not in html


def test_another_actors_export_status_is_404(login, other_actor, pending_export):
    assert login(other_actor).get(export_status(pending_export), **HTMX).status_code == 404


@pytest.mark.parametrize("path", ["/actors/me/data/exports/0/status/", "/actors/me/data/exports/99999999/status/"])
def test_an_unknown_export_status_is_404(login, actor, path):
    assert login(actor).get(path, **HTMX).status_code == 404


def test_the_export_status_without_htmx_goes_to_the_page(login, actor, pending_export):
    response = login(actor).get(export_status(pending_export))
    assert response.status_code == 302
    assert response.url == DATA


def test_the_export_fragment_costs_two_queries(login, actor, pending_export):
    client = login(actor)
    client.get(export_status(pending_export), **HTMX)
    with CaptureQueriesContext(connection) as context:
        assert client.get(export_status(pending_export), **HTMX).status_code == 200
    assert actor_queries(context) == 2  # the actor's profile, the export
    assert len(context.captured_queries) <= 9


# --- Who may poll --------------------------------------------------------------------


@pytest.mark.parametrize("which", ["photo", "export"])
def test_anonymous_is_sent_to_sign_in(anonymous, pending_photo, pending_export, which):
    path = photo_status(pending_photo) if which == "photo" else export_status(pending_export)
    response = anonymous.get(path, **HTMX)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


@pytest.mark.parametrize("which", ["photo", "export"])
def test_a_creator_is_refused(login, creator, pending_photo, pending_export, which):
    path = photo_status(pending_photo) if which == "photo" else export_status(pending_export)
    assert login(creator).get(path, **HTMX).status_code == 403


@pytest.mark.parametrize("which", ["photo", "export"])
def test_post_is_405(login, actor, pending_photo, pending_export, which):
    path = photo_status(pending_photo) if which == "photo" else export_status(pending_export)
    assert login(actor).post(path, **HTMX).status_code == 405


# --- Uploads with a progress bar --------------------------------------------------------


def test_the_photos_page_loads_the_upload_script_with_the_nonce_and_a_progress_bar(login, actor):
    response = login(actor).get(PHOTOS)
    page = response.content.decode()
    nonce = re.search(r'<script src="[^"]*js/photo-upload[^"]*" nonce="([^"]+)"', page)
    assert nonce
    assert f"'nonce-{nonce.group(1)}'" in response["Content-Security-Policy"]
    assert "data-photo-upload" in page
    assert '<progress id="upload-progress"' in page
    assert "<script>" not in page
    assert " style=" not in page


def test_the_script_upload_answers_where_to_go_and_keeps_the_message(login, actor):
    client = login(actor)
    response = client.post(PHOTOS, {"photos": [image_upload(seed=50), image_upload(seed=51)]}, **SCRIPT)
    assert response.status_code == 200
    assert response.json() == {"location": PHOTOS}
    assert LikenessPhoto.objects.filter(actor=actor.actor_profile).count() == 2
    assert "2 photos uploaded." in client.get(PHOTOS).content.decode()


def test_the_script_upload_of_a_bad_file_answers_the_errors_and_stores_nothing(login, actor):
    from actors.tests.factories import upload_of

    response = login(actor).post(PHOTOS, {"photos": [upload_of("x.jpg", b"not an image")]}, **SCRIPT)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors
    assert all(isinstance(error, str) for error in errors)
    assert not LikenessPhoto.objects.exists()


def test_the_script_upload_without_a_file_answers_an_error(login, actor):
    response = login(actor).post(PHOTOS, {}, **SCRIPT)
    assert response.status_code == 400
    assert response.json()["errors"] == ["Choose at least one photo."]


def test_the_script_upload_refused_by_storage_is_503_with_the_reason(login, actor, stored_files, monkeypatch):
    refuse_writes(monkeypatch)
    response = login(actor).post(PHOTOS, {"photos": [image_upload()]}, **SCRIPT)
    assert response.status_code == 503
    assert response.json() == {"errors": [STORAGE_REFUSED]}
    assert not LikenessPhoto.objects.exists()


def test_a_plain_form_upload_still_redirects_to_the_page(login, actor):
    response = login(actor).post(PHOTOS, {"photos": [image_upload(seed=52)]})
    assert response.status_code == 302
    assert response.url == PHOTOS


@pytest.mark.parametrize("which", ["photos", "data/exports"])
def test_a_number_no_id_can_be_is_404(login, actor, pending_photo, which):
    path = f"/actors/me/{which}/{'9' * 30}/status/"
    assert login(actor).get(path, **HTMX).status_code == 404
