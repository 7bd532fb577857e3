import pytest
from django.conf import settings
from django.test import override_settings

from marketplace.celery import app as celery_app

pytestmark = pytest.mark.django_db

DEAD_REDIS = "redis://127.0.0.1:1/0"
DEAD_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": DEAD_REDIS,
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    },
    # Each process's own memory, as in every settings module (base.py).
    "local": settings.LOCAL_CACHE,
}


@pytest.fixture
def dead_broker():
    previous = celery_app.conf.broker_url
    celery_app.conf.broker_url = DEAD_REDIS
    yield
    celery_app.conf.broker_url = previous


def test_healthz_answers_without_touching_services(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_ok_when_database_cache_and_broker_answer(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "cache": "ok", "broker": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_readyz_names_the_broker_when_it_is_unreachable(client, dead_broker):
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["broker"]
    assert body["checks"]["broker"] == "unavailable"
    assert body["checks"]["database"] == "ok"


@override_settings(CACHES=DEAD_CACHE)
def test_readyz_names_the_cache_when_it_is_unreachable(client):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["cache"]


@override_settings(CACHES=DEAD_CACHE)
def test_readyz_names_every_failing_part(client, dead_broker):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["cache", "broker"]


@pytest.mark.redis
def test_readyz_ok_on_real_redis_as_cache_and_broker(client):
    from conftest import redis_url

    previous = celery_app.conf.broker_url
    celery_app.conf.broker_url = redis_url()
    try:
        cache = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url()}
        with override_settings(CACHES={"default": cache, "local": settings.LOCAL_CACHE}):
            response = client.get("/readyz")
    finally:
        celery_app.conf.broker_url = previous
    assert response.status_code == 200, response.json()


def test_readyz_ok_on_the_embedded_filesystem_broker(client, tmp_path):
    previous = (celery_app.conf.broker_url, celery_app.conf.broker_transport_options)
    celery_app.conf.broker_url = "filesystem://"
    folder = str(tmp_path)
    celery_app.conf.broker_transport_options = {"data_folder_in": folder, "data_folder_out": folder}
    try:
        response = client.get("/readyz")
    finally:
        celery_app.conf.broker_url, celery_app.conf.broker_transport_options = previous
    assert response.status_code == 200, response.json()
