"""Likeness photo uploads, seen from the actor's browser and from storage:
what is accepted, what is refused with which message, and what lands on disk."""

import io
import re
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from PIL import Image, ImageChops, ImageFile, ImageStat

from actors.models import MAX_PHOTOS_PER_ACTOR, LikenessPhoto
from actors.services import photo_upload
from actors.services.duplicates import bands
from actors.tests.factories import image_bytes, image_upload, photo_for, picture, upload_of
from marketplace.images import sanitize_image

pytestmark = pytest.mark.django_db

PHOTOS = "/actors/me/photos/"
NOT_AN_IMAGE = "This is not a JPEG, PNG or WebP image. Only those three formats are accepted."
DAMAGED = "The image is damaged or incomplete and cannot be read. Please export it again and retry."
TOO_MANY_PIXELS = "The image is too large: at most 40 megapixels are accepted."


# --- Crafted files ---------------------------------------------------------------


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_declaring(width: int, height: int) -> bytes:
    """A few dozen bytes whose header claims ``width`` × ``height`` RGB pixels."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(b"\x00" * 4))
        + _png_chunk(b"IEND", b"")
    )


def pillow_bytes(fmt: str) -> bytes:
    buffer = io.BytesIO()
    picture((64, 48), seed=3).save(buffer, format=fmt)
    return buffer.getvalue()


def psd_bytes() -> bytes:
    # Signature, version 1, six reserved bytes, 3 channels, 48×64, 8 bits, RGB.
    return b"8BPS" + struct.pack(">H", 1) + b"\x00" * 6 + struct.pack(">HIIHH", 3, 48, 64, 8, 3) + b"\x00" * 64


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="64" height="48"><script>alert(1)</script></svg>'


def jpeg_with_gps_turned_sideways() -> bytes:
    """60×40 pixels, EXIF orientation 6 (shown rotated 90°) and a GPS position."""
    exif = Image.Exif()
    exif[0x0112] = 6
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (39.0, 54.0, 15.0)
    gps[3], gps[4] = "E", (116.0, 23.0, 30.0)
    buffer = io.BytesIO()
    picture((60, 40), seed=11).save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


# --- Helpers ---------------------------------------------------------------------


def upload(client, *files):
    return client.post(PHOTOS, {"photos": list(files)})


def photos_of(user) -> list[LikenessPhoto]:
    return list(LikenessPhoto.objects.filter(actor=user.actor_profile))


def stored_image(field) -> Image.Image:
    with default_storage.open(field.name, "rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
    return image


def mean_difference(left: Image.Image, right: Image.Image) -> float:
    return sum(ImageStat.Stat(ImageChops.difference(left, right)).mean) / 3


def stored_bytes(field) -> bytes:
    with default_storage.open(field.name, "rb") as handle:
        return handle.read()


@pytest.fixture
def never_decoded(monkeypatch):
    """Fails the test if any image's pixels are decoded."""

    def refuse(self, *args, **kwargs):
        raise AssertionError("the pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse)


# --- What is accepted, and what is stored ---------------------------------------


def test_png_with_script_tail_is_stored_without_it(login, actor, stored_files):
    data = image_bytes("PNG") + b"<html><script>alert(1)</script></html>"
    response = upload(login(actor), upload_of("face.png", data, "image/png"))
    assert response.status_code == 302
    (photo,) = photos_of(actor)
    content = stored_bytes(photo.original)
    assert b"<script" not in content.lower()
    assert content.startswith(b"\x89PNG")
    assert stored_files("likeness") == {photo.original.name}


def test_gps_and_exif_are_stripped_and_photo_turned_upright(login, actor):
    response = upload(login(actor), upload_of("beach.jpg", jpeg_with_gps_turned_sideways()))
    assert response.status_code == 302
    (photo,) = photos_of(actor)
    image = stored_image(photo.original)
    exif = image.getexif()
    assert dict(exif) == {}
    assert dict(exif.get_ifd(0x8825)) == {}
    assert b"Exif" not in stored_bytes(photo.original)
    assert image.size == (40, 60)
    assert (photo.width, photo.height) == (40, 60)


@pytest.mark.parametrize("name", ["../../x.jpg", "a" * 296 + ".jpg"], ids=["path-traversal", "300-characters"])
def test_stored_name_is_generated_by_the_server(login, actor, stored_files, name):
    response = upload(login(actor), upload_of(name, image_bytes()))
    assert response.status_code == 302
    (photo,) = photos_of(actor)
    pattern = rf"^likeness/{actor.actor_profile.pk}/original/[0-9a-f]{{32}}\.jpg$"
    assert re.match(pattern, photo.original.name)
    assert ".." not in photo.original.name
    assert "aaaa" not in photo.original.name
    assert stored_files() == {photo.original.name}


def test_stored_name_is_generated_when_the_service_is_called_directly(actor):
    (photo,) = photo_upload(actor=actor.actor_profile, files=[upload_of("../../../etc/x.jpg", image_bytes())])
    assert re.match(rf"^likeness/{actor.actor_profile.pk}/original/[0-9a-f]{{32}}\.jpg$", photo.original.name)


def test_two_good_files_in_one_field_are_both_stored(login, actor, stored_files):
    response = upload(login(actor), image_upload("one.jpg", seed=1), image_upload("two.png", "PNG", seed=2))
    assert response.status_code == 302
    photos = photos_of(actor)
    assert len(photos) == 2
    assert [photo.content_type for photo in photos] == ["image/jpeg", "image/png"]
    assert [photo.is_primary for photo in photos] == [True, False]
    assert stored_files("likeness") == {photo.original.name for photo in photos}


# --- What is refused --------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [psd_bytes(), pillow_bytes("TIFF"), pillow_bytes("GIF"), SVG],
    ids=["psd", "tiff", "gif", "svg"],
)
def test_other_formats_named_jpg_are_refused_and_nothing_stored(login, actor, stored_files, content):
    response = upload(login(actor), upload_of("holiday.jpg", content, "image/jpeg"))
    assert response.status_code == 400
    assert f"holiday.jpg: {NOT_AN_IMAGE}" in response.content.decode()
    assert photos_of(actor) == []
    assert stored_files() == set()


@pytest.mark.parametrize(("width", "height"), [(10_000, 10_000), (7_000, 7_000)], ids=["pillow-bomb", "over-cap"])
def test_png_declaring_huge_size_is_refused_without_decoding(login, actor, stored_files, never_decoded, width, height):
    data = png_declaring(width, height)
    assert len(data) < 100
    response = upload(login(actor), upload_of("small.png", data, "image/png"))
    assert response.status_code == 400
    assert f"small.png: {TOO_MANY_PIXELS}" in response.content.decode()
    assert photos_of(actor) == []
    assert stored_files() == set()


def test_sanitizer_refuses_pixel_bomb_before_decoding(never_decoded):
    with pytest.raises(ValidationError) as caught:
        sanitize_image(upload_of("small.png", png_declaring(10_000, 10_000), "image/png"))
    assert caught.value.code == "too_many_pixels"


def test_sanitizer_honours_a_lower_pixel_cap(settings, never_decoded):
    settings.IMAGE_UPLOAD_MAX_PIXELS = 64 * 48 - 1
    with pytest.raises(ValidationError) as caught:
        sanitize_image(image_upload(size=(64, 48)))
    assert caught.value.code == "too_many_pixels"


def test_truncated_jpeg_is_refused_and_nothing_stored(login, actor, stored_files):
    whole = image_bytes("JPEG", size=(400, 300), seed=5)
    response = upload(login(actor), upload_of("cut.jpg", whole[: len(whole) // 2]))
    assert response.status_code == 400
    assert f"cut.jpg: {DAMAGED}" in response.content.decode()
    assert photos_of(actor) == []
    assert stored_files() == set()


def test_file_over_the_byte_cap_is_refused_before_decoding(settings, monkeypatch):
    settings.IMAGE_UPLOAD_MAX_BYTES = 1000
    data = image_bytes("JPEG", size=(400, 300))
    assert len(data) > 1000

    def refuse(*args, **kwargs):
        raise AssertionError("the file was opened as an image")

    monkeypatch.setattr(Image, "open", refuse)
    with pytest.raises(ValidationError) as caught:
        sanitize_image(upload_of("big.jpg", data))
    assert caught.value.code == "too_large"
    assert "the limit is 1000" in caught.value.messages[0]


def test_upload_over_the_byte_cap_is_refused_and_nothing_stored(settings, login, actor, stored_files):
    settings.IMAGE_UPLOAD_MAX_BYTES = 1000
    response = upload(login(actor), upload_of("big.jpg", image_bytes("JPEG", size=(400, 300))))
    assert response.status_code == 400
    assert "big.jpg: The file is" in response.content.decode()
    assert photos_of(actor) == []
    assert stored_files() == set()


def test_one_bad_file_among_good_ones_stores_nothing_and_names_the_bad_one(login, actor, stored_files):
    response = upload(
        login(actor),
        image_upload("good.jpg", seed=1),
        upload_of("bad.jpg", pillow_bytes("GIF"), "image/jpeg"),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert f"bad.jpg: {NOT_AN_IMAGE}" in page
    assert "good.jpg:" not in page
    assert photos_of(actor) == []
    assert stored_files() == set()


def test_empty_upload_is_refused(login, actor, stored_files):
    response = upload(login(actor), upload_of("empty.jpg", b""))
    assert response.status_code == 400
    assert photos_of(actor) == []
    assert stored_files() == set()


# --- Quota ---------------------------------------------------------------------


def fill(actor, count: int) -> list[LikenessPhoto]:
    return photo_upload(actor=actor.actor_profile, files=[image_upload(seed=100 + n) for n in range(count)])


def test_two_more_than_room_for_one_is_refused_and_nothing_stored(login, actor, stored_files):
    fill(actor, MAX_PHOTOS_PER_ACTOR - 1)
    before = stored_files()
    response = upload(login(actor), image_upload("a.jpg", seed=1), image_upload("b.jpg", seed=2))
    assert response.status_code == 400
    assert "You can keep up to 12 photos. You have 11, so 1 more can be added." in response.content.decode()
    assert len(photos_of(actor)) == MAX_PHOTOS_PER_ACTOR - 1
    assert stored_files() == before


def test_twelve_photos_is_the_maximum(login, actor, stored_files):
    fill(actor, MAX_PHOTOS_PER_ACTOR - 1)
    client = login(actor)
    assert upload(client, image_upload("twelfth.jpg", seed=1)).status_code == 302
    assert len(photos_of(actor)) == MAX_PHOTOS_PER_ACTOR
    before = stored_files()
    response = upload(client, image_upload("thirteenth.jpg", seed=2))
    assert response.status_code == 400
    assert "You can keep up to 12 photos. You have 12, so 0 more can be added." in response.content.decode()
    assert len(photos_of(actor)) == MAX_PHOTOS_PER_ACTOR
    assert stored_files() == before


# --- Renditions ----------------------------------------------------------------


def test_thumbnail_preview_and_hash_exist_after_commit(login, actor, stored_files, django_capture_on_commit_callbacks):
    client = login(actor)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, image_upload("face.jpg", size=(480, 360), seed=21))
    assert response.status_code == 302
    (photo,) = photos_of(actor)
    assert photo.renditions == LikenessPhoto.Renditions.READY
    # The 64-bit hash, and its bands as the database keeps them for the near-duplicate lookup.
    assert photo.dhash is not None
    assert [photo.dhash_band_0, photo.dhash_band_1, photo.dhash_band_2, photo.dhash_band_3] == bands(photo.dhash)
    assert stored_files("likeness") == {photo.original.name, photo.thumbnail.name, photo.preview.name}
    assert stored_image(photo.thumbnail).size == (320, 320)
    assert stored_image(photo.preview).size == (480, 360)


def test_renditions_wait_for_the_commit(login, actor):
    upload(login(actor), image_upload("face.jpg"))
    (photo,) = photos_of(actor)
    assert photo.renditions == LikenessPhoto.Renditions.PENDING
    assert not photo.thumbnail
    assert not photo.preview


def test_preview_carries_the_watermark(actor):
    photo = photo_for(actor.actor_profile, size=(480, 360), seed=22)
    plain = stored_image(photo.original).convert("RGB")
    plain.thumbnail((1024, 1024))
    preview = stored_image(photo.preview).convert("RGB")
    assert preview.size == plain.size
    # Re-encoding alone moves pixels by a level or two; the stamped text and
    # the dark band at the bottom move them by far more.
    buffer = io.BytesIO()
    plain.save(buffer, format="JPEG", quality=85)
    reencoded = Image.open(buffer).convert("RGB")
    assert mean_difference(reencoded, plain) < 2
    assert mean_difference(preview, plain) > 5
    band = (0, plain.height - 20, plain.width, plain.height)
    assert sum(ImageStat.Stat(preview.crop(band).convert("L")).mean) < sum(
        ImageStat.Stat(plain.crop(band).convert("L")).mean
    )


def test_near_duplicate_of_another_actors_photo_is_flagged(
    login, actor, other_actor, django_capture_on_commit_callbacks
):
    # The uploader reads English: the badge text is checked as shown.
    first = photo_for(other_actor.actor_profile, seed=31)
    client = login(actor)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, image_upload("me.jpg", seed=31))
    assert response.status_code == 302
    (copy,) = photos_of(actor)
    assert copy.review == LikenessPhoto.Review.FLAGGED
    assert copy.similar_to_id == first.pk
    assert "Under review" in client.get(PHOTOS).content.decode()
    assert photos_of(other_actor)[0].review == LikenessPhoto.Review.CLEAR


def test_same_actor_uploading_the_same_picture_twice_is_not_flagged(login, actor, django_capture_on_commit_callbacks):
    photo_for(actor.actor_profile, seed=32)
    client = login(actor)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, image_upload("again.jpg", seed=32))
    photos = photos_of(actor)
    assert len(photos) == 2
    assert photos[0].dhash == photos[1].dhash
    assert [photo.review for photo in photos] == [LikenessPhoto.Review.CLEAR] * 2
    assert "Under review" not in client.get(PHOTOS).content.decode()


def test_different_pictures_of_two_actors_are_not_flagged(actor, other_actor):
    photo_for(actor.actor_profile, seed=33)
    other = photo_for(other_actor.actor_profile, seed=34)
    assert other.review == LikenessPhoto.Review.CLEAR
    assert other.similar_to is None


# --- Managing photos -----------------------------------------------------------


@pytest.fixture
def three_photos(actor):
    return [photo_for(actor.actor_profile, seed=40 + n) for n in range(3)]


def test_delete_removes_the_original_thumbnail_and_preview_files(
    login, actor, three_photos, stored_files, django_capture_on_commit_callbacks
):
    doomed = three_photos[1]
    names = {doomed.original.name, doomed.thumbnail.name, doomed.preview.name}
    assert names <= stored_files()
    with django_capture_on_commit_callbacks(execute=True):
        response = login(actor).post(f"/actors/me/photos/{doomed.pk}/delete/")
    assert response.status_code == 302
    assert not LikenessPhoto.objects.filter(pk=doomed.pk).exists()
    assert not names & stored_files()
    assert len(stored_files("likeness")) == 6


def test_deleting_the_primary_photo_promotes_the_next(login, actor, three_photos, django_capture_on_commit_callbacks):
    first, second, _third = three_photos
    assert first.is_primary
    with django_capture_on_commit_callbacks(execute=True):
        login(actor).post(f"/actors/me/photos/{first.pk}/delete/")
    assert [photo.pk for photo in photos_of(actor) if photo.is_primary] == [second.pk]


def test_set_primary(login, actor, three_photos):
    third = three_photos[2]
    response = login(actor).post(f"/actors/me/photos/{third.pk}/primary/")
    assert response.status_code == 302
    assert [photo.pk for photo in photos_of(actor) if photo.is_primary] == [third.pk]


@pytest.mark.parametrize(
    ("moved", "direction", "expected"),
    [(2, "up", [0, 2, 1]), (0, "down", [1, 0, 2]), (0, "up", [0, 1, 2]), (2, "down", [0, 1, 2])],
    ids=["last-up", "first-down", "first-up-stays", "last-down-stays"],
)
def test_move_reorders_photos(login, actor, three_photos, moved, direction, expected):
    response = login(actor).post(f"/actors/me/photos/{three_photos[moved].pk}/move/", {"direction": direction})
    assert response.status_code == 302
    assert [photo.pk for photo in photos_of(actor)] == [three_photos[index].pk for index in expected]


@pytest.mark.parametrize("action", ["delete", "primary", "move"])
def test_another_actors_photo_cannot_be_managed(login, actor, other_actor, stored_files, action):
    photo = photo_for(other_actor.actor_profile, seed=50)
    before = stored_files()
    response = login(actor).post(f"/actors/me/photos/{photo.pk}/{action}/", {"direction": "up"})
    assert response.status_code == 404
    assert LikenessPhoto.objects.filter(pk=photo.pk, is_primary=True).exists()
    assert stored_files() == before
