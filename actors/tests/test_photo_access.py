"""Who may fetch which file of a likeness photo (/actors/photos/<pk>/<kind>/),
what the response tells the browser, and what lands in the actor's access log."""

import re

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from actors.models import ActorProfile, AssetAccess, LikenessPhoto
from actors.tests.factories import list_on_roster, photo_for

pytestmark = pytest.mark.django_db

KINDS = ["thumbnail", "preview", "original"]
# Moderators open previews and originals only while working on an item about
# this actor; the ``moderation_item`` fixture makes identity check #12.
DISPUTE = "verification:12"
SAFE_FILENAME = re.compile(r'filename="([A-Za-z0-9._-]+)"')


@pytest.fixture
def photo(actor) -> LikenessPhoto:
    """A clear photo of a listed actor, uploaded under a telling name."""
    list_on_roster(actor.actor_profile)
    return photo_for(actor.actor_profile, name="my-secret-holiday.jpg", seed=60)


@pytest.fixture(autouse=True)
def moderation_item(actor):
    from moderation.models import IdentityVerification

    return IdentityVerification.objects.create(pk=12, actor=actor.actor_profile, code="ABC234")


@pytest.fixture
def moderator(moderator):
    """Moderators see private files only with an authenticator app set up."""
    from moderation.tests.conftest import give_totp

    return give_totp(moderator)


def fetch(client, photo_id: int, kind: str, purpose: str | None = None):
    query = {"purpose": purpose} if purpose is not None else {}
    return client.get(f"/actors/photos/{photo_id}/{kind}/", query)


def client_for(request, login, who: str):
    if who == "anonymous":
        return request.getfixturevalue("anonymous")
    user = request.getfixturevalue("actor" if who == "owner" else who)
    return login(user)


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def stored(field) -> bytes:
    with default_storage.open(field.name, "rb") as handle:
        return handle.read()


# --- The matrix ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "purpose", "expected"),
    [
        ("anonymous", None, {"thumbnail": 404, "preview": 404, "original": 404}),
        ("owner", None, {"thumbnail": 200, "preview": 200, "original": 200}),
        ("other_actor", None, {"thumbnail": 404, "preview": 404, "original": 404}),
        ("creator", None, {"thumbnail": 200, "preview": 200, "original": 404}),
        ("moderator", None, {"thumbnail": 200, "preview": 404, "original": 404}),
        ("moderator", DISPUTE, {"thumbnail": 200, "preview": 200, "original": 200}),
        ("newcomer", None, {"thumbnail": 404, "preview": 404, "original": 404}),
    ],
)
@pytest.mark.parametrize("kind", KINDS)
def test_who_may_fetch_each_file_of_a_listed_actors_clear_photo(request, login, photo, who, purpose, expected, kind):
    response = fetch(client_for(request, login, who), photo.pk, kind, purpose)
    assert response.status_code == expected[kind]
    if expected[kind] == 200:
        assert body(response) == stored(getattr(photo, kind))


@pytest.mark.parametrize("kind", KINDS)
def test_creator_sees_nothing_of_an_unlisted_actor(login, actor, creator, kind):
    photo = photo_for(actor.actor_profile, seed=61)
    assert not ActorProfile.objects.get(pk=photo.actor_id).is_listed
    assert fetch(login(creator), photo.pk, kind).status_code == 404


@pytest.mark.parametrize("kind", KINDS)
def test_creator_sees_nothing_of_a_flagged_photo(login, photo, creator, kind):
    LikenessPhoto.objects.filter(pk=photo.pk).update(review=LikenessPhoto.Review.FLAGGED)
    assert fetch(login(creator), photo.pk, kind).status_code == 404


@pytest.mark.parametrize("kind", KINDS)
def test_owner_still_sees_a_flagged_photo(login, photo, actor, kind):
    LikenessPhoto.objects.filter(pk=photo.pk).update(review=LikenessPhoto.Review.FLAGGED)
    assert fetch(login(actor), photo.pk, kind).status_code == 200


@pytest.mark.parametrize("kind", KINDS)
def test_photos_of_a_deleted_account_are_gone_for_everyone(login, photo, moderator, kind):
    ActorProfile.objects.filter(pk=photo.actor_id).update(deleted_at=timezone.now(), is_listed=False)
    assert fetch(login(moderator), photo.pk, kind, DISPUTE).status_code == 404


def test_anonymous_is_not_sent_to_login(anonymous, photo):
    response = fetch(anonymous, photo.pk, "thumbnail")
    assert response.status_code == 404
    assert "Location" not in response.headers


# --- Not found, and nothing leaks -------------------------------------------------


def test_nonexistent_photo_is_404_even_for_a_moderator_with_purpose(login, photo, moderator):
    assert fetch(login(moderator), photo.pk + 1000, "preview", DISPUTE).status_code == 404


@pytest.mark.parametrize("kind", ["full", "ORIGINAL", "thumb", "secret"])
def test_unknown_kind_is_404_even_for_the_owner(login, photo, actor, kind):
    assert fetch(login(actor), photo.pk, kind).status_code == 404
    assert not AssetAccess.objects.exists()


def _without_per_response_tokens(response) -> str:
    """The page without what differs between any two responses: the CSP
    nonce, the CSRF token and the page's own address (the language switch)."""
    text = response.content.decode().replace(response.wsgi_request.path, "/PATH/")
    text = re.sub(r'nonce="[^"]*"', 'nonce=""', text)
    text = re.sub(r'"inlineScriptNonce": "[^"]*"', '"inlineScriptNonce": ""', text)
    text = re.sub(r'"X-CSRFToken": "[^"]*"', '"X-CSRFToken": ""', text)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', 'name="csrfmiddlewaretoken" value=""', text)


@pytest.mark.parametrize(
    ("who", "kind"), [("other_actor", "preview"), ("creator", "original"), ("moderator", "original")]
)
def test_forbidden_photo_looks_exactly_like_a_missing_one(request, login, photo, who, kind):
    client = client_for(request, login, who)
    forbidden = fetch(client, photo.pk, kind)
    missing = fetch(client, photo.pk + 1000, kind)
    assert forbidden.status_code == missing.status_code == 404
    assert forbidden["Content-Type"] == missing["Content-Type"]
    assert _without_per_response_tokens(forbidden) == _without_per_response_tokens(missing)


@pytest.mark.parametrize("kind", KINDS)
def test_post_to_a_photo_file_is_405(login, photo, actor, kind):
    assert login(actor).post(f"/actors/photos/{photo.pk}/{kind}/").status_code == 405


# --- Headers --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "kind", "purpose"),
    [
        ("owner", "thumbnail", None),
        ("owner", "preview", None),
        ("creator", "thumbnail", None),
        ("creator", "preview", None),
        ("moderator", "preview", DISPUTE),
    ],
)
def test_thumbnails_and_previews_are_private_inline_and_not_sniffed(request, login, photo, who, kind, purpose):
    response = fetch(client_for(request, login, who), photo.pk, kind, purpose)
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("inline")


@pytest.mark.parametrize(("who", "purpose"), [("owner", None), ("moderator", DISPUTE)])
def test_original_is_a_private_unstored_attachment_with_a_safe_name(request, login, photo, who, purpose):
    response = fetch(client_for(request, login, who), photo.pk, "original", purpose)
    assert response.status_code == 200
    cache_control = response["Cache-Control"]
    assert "private" in cache_control
    assert "no-store" in cache_control
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert disposition.isascii()
    (filename,) = SAFE_FILENAME.findall(disposition)
    assert "secret" not in filename
    assert "holiday" not in filename
    assert filename.endswith(".jpg")


# --- The access log -------------------------------------------------------------


def access_rows(photo) -> list[AssetAccess]:
    return list(AssetAccess.objects.filter(photo=photo).order_by("id"))


@pytest.mark.parametrize(
    ("who", "kind", "purpose"),
    [
        ("anonymous", "preview", None),
        ("anonymous", "original", None),
        ("other_actor", "preview", None),
        ("other_actor", "original", None),
        ("creator", "original", None),
        ("moderator", "preview", None),
        ("moderator", "original", None),
    ],
)
def test_denied_attempts_are_logged(request, login, photo, who, kind, purpose):
    client = client_for(request, login, who)
    assert fetch(client, photo.pk, kind, purpose).status_code == 404
    (row,) = access_rows(photo)
    assert row.outcome == AssetAccess.Outcome.DENIED
    assert row.kind == kind
    assert row.actor_id == photo.actor_id
    expected_viewer = None if who == "anonymous" else request.getfixturevalue(who)
    assert row.viewer == expected_viewer
    assert row.ip_address == "127.0.0.1"


def test_denied_thumbnail_is_logged(login, photo, other_actor):
    assert fetch(login(other_actor), photo.pk, "thumbnail").status_code == 404
    (row,) = access_rows(photo)
    assert (row.kind, row.outcome, row.viewer) == ("thumbnail", "denied", other_actor)


def test_creators_preview_view_is_logged_as_granted(login, photo, creator):
    assert fetch(login(creator), photo.pk, "preview").status_code == 200
    (row,) = access_rows(photo)
    assert (row.kind, row.outcome, row.viewer, row.viewer_role) == ("preview", "granted", creator, "creator")
    assert row.viewer_label == "Lumen Pictures"
    assert row.purpose == ""


@pytest.mark.parametrize("kind", ["preview", "original"])
def test_moderators_view_is_logged_with_the_stated_purpose(login, photo, moderator, kind):
    assert fetch(login(moderator), photo.pk, kind, DISPUTE).status_code == 200
    (row,) = access_rows(photo)
    assert (row.kind, row.outcome, row.viewer, row.viewer_role) == (kind, "granted", moderator, "moderator")
    assert row.purpose == DISPUTE


@pytest.mark.parametrize(("who", "purpose"), [("creator", None), ("moderator", None), ("moderator", DISPUTE)])
def test_granted_thumbnails_are_not_logged(request, login, photo, who, purpose):
    assert fetch(client_for(request, login, who), photo.pk, "thumbnail", purpose).status_code == 200
    assert access_rows(photo) == []


@pytest.mark.parametrize("kind", KINDS)
def test_owners_own_views_are_not_logged(login, photo, actor, kind):
    assert fetch(login(actor), photo.pk, kind).status_code == 200
    assert access_rows(photo) == []


# --- Moderators' purposes -------------------------------------------------------


@pytest.mark.parametrize(
    "purpose",
    ["dispute 12", "verification:13", "verification:", "dispute:12", "flag:1", "verification:99999999999999999999"],
)
def test_moderator_purpose_must_name_an_item_about_this_actor(login, photo, moderator, purpose):
    assert fetch(login(moderator), photo.pk, "preview", purpose).status_code == 404
    (row,) = access_rows(photo)
    assert row.outcome == AssetAccess.Outcome.DENIED


def test_moderator_purpose_naming_another_actors_check_is_refused(login, photo, moderator, other_actor):
    from moderation.models import IdentityVerification

    theirs = IdentityVerification.objects.create(actor=other_actor.actor_profile, code="XYZ789")
    assert fetch(login(moderator), photo.pk, "original", f"verification:{theirs.pk}").status_code == 404


def test_moderator_without_an_authenticator_sees_no_private_file(login, photo, db):
    from django.contrib.auth.models import Group

    from conftest import make_user
    from marketplace.roles import MODERATORS_GROUP

    plain = make_user("plain.moderator@example.com")
    plain.groups.add(Group.objects.get(name=MODERATORS_GROUP))
    assert fetch(login(plain), photo.pk, "preview", DISPUTE).status_code == 404


def test_actor_reads_the_moderators_purpose_as_the_item(login, photo, moderator, actor):
    assert fetch(login(moderator), photo.pk, "preview", DISPUTE).status_code == 200
    page = login(actor).get("/actors/me/access/").content.decode()
    assert "Moderator — identity check #12" in page


@pytest.mark.parametrize("kind", KINDS)
def test_a_file_gone_from_storage_is_404_not_500(login, photo, actor, kind):
    default_storage.delete(getattr(photo, kind).name)
    assert fetch(login(actor), photo.pk, kind).status_code == 404
