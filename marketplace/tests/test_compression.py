"""Text is gzip-compressed for clients that ask (marketplace.middleware.TextCompressionMiddleware):
pages, JSON and static files in every mode; photos are sent as they are."""

import gzip

import pytest

from actors.tests.factories import list_on_roster, photo_for

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.django_db
def test_a_page_is_compressed_for_a_client_that_asks(client):
    response = client.get("/", **GZIP)

    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert b"ConsentCast" in gzip.decompress(body(response))


@pytest.mark.django_db
def test_a_page_is_plain_for_a_client_that_does_not_ask(client):
    response = client.get("/")

    assert response.status_code == 200
    assert not response.has_header("Content-Encoding")
    assert b"ConsentCast" in response.content


@pytest.mark.django_db
def test_the_same_page_compresses_differently_each_time_against_breach(client):
    # Django's gzip puts random bytes in each header, so a page's compressed
    # length says nothing about a secret (the CSRF token) inside it.
    lengths = {len(body(client.get("/accounts/login/", **GZIP))) for _ in range(8)}

    assert len(lengths) > 1


@pytest.mark.django_db
def test_api_json_is_compressed(api_client):
    response = api_client.get("/api/schema/?format=json", **GZIP)

    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert b'"openapi"' in gzip.decompress(body(response))


@pytest.mark.parametrize(
    "path", ["/static/vendor/bootstrap/css/bootstrap.min.css", "/static/vendor/bootstrap/js/bootstrap.bundle.min.js"]
)
def test_static_files_are_compressed_in_this_mode_too(client, path):
    response = client.get(path, **GZIP)

    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    plain = body(client.get(path))
    assert gzip.decompress(body(response)) == plain
    assert len(body(client.get(path, **GZIP))) < len(plain) / 3


@pytest.mark.django_db
def test_a_photo_is_sent_as_it_is(login, actor):
    list_on_roster(actor.actor_profile)
    photo = photo_for(actor.actor_profile, seed=7)

    response = login(actor).get(f"/actors/photos/{photo.pk}/thumbnail/", **GZIP)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/")
    assert not response.has_header("Content-Encoding")
