"""``/api/v1/webhooks/``: creators register, list, read, delete their
webhooks, read deliveries and replay one; the secret is answered once."""

import pytest

from usage_requests.models import WebhookDelivery, WebhookDeliveryStatus, WebhookEndpoint, WebhookEventType
from usage_requests.services.webhooks import webhook_endpoint_create, webhook_ping_send

pytestmark = pytest.mark.django_db

GOOD_URL = "http://127.0.0.1:9/consentcast"


@pytest.fixture(autouse=True)
def loopback_allowed(settings):
    settings.WEBHOOK_ALLOW_LOOPBACK_HTTP = True


@pytest.fixture
def endpoint(creator):
    return webhook_endpoint_create(owner=creator, url=GOOD_URL, events=["licence.revoked"])[0]


@pytest.fixture
def delivery(endpoint):
    delivery = webhook_ping_send(endpoint=endpoint)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status=WebhookDeliveryStatus.ABANDONED, attempts=8)
    return delivery


def paths(endpoint, delivery):
    return [
        ("get", "/api/v1/webhooks/"),
        ("post", "/api/v1/webhooks/"),
        ("get", f"/api/v1/webhooks/{endpoint.pk}/"),
        ("delete", f"/api/v1/webhooks/{endpoint.pk}/"),
        ("get", f"/api/v1/webhooks/{endpoint.pk}/deliveries/"),
        ("post", f"/api/v1/webhooks/{endpoint.pk}/deliveries/{delivery.pk}/replay"),
    ]


def test_anonymous_gets_401(api_client, endpoint, delivery):
    for method, path in paths(endpoint, delivery):
        assert getattr(api_client, method)(path, {}, format="json").status_code == 401
    assert WebhookEndpoint.objects.count() == 1


def test_an_actor_gets_403(api_as, actor, endpoint, delivery):
    client = api_as(actor)
    for method, path in paths(endpoint, delivery):
        response = getattr(client, method)(path, {"url": GOOD_URL}, format="json")
        assert response.status_code == 403, path
    assert WebhookEndpoint.objects.count() == 1
    assert WebhookDelivery.objects.get().status == WebhookDeliveryStatus.ABANDONED


def test_another_creators_webhook_is_404(api_as, other_creator, endpoint, delivery):
    client = api_as(other_creator)
    for method, path in paths(endpoint, delivery)[2:]:
        assert getattr(client, method)(path).status_code == 404, path
    assert client.get("/api/v1/webhooks/").json() == []
    assert WebhookEndpoint.objects.count() == 1
    assert WebhookDelivery.objects.get().status == WebhookDeliveryStatus.ABANDONED


def test_register_answers_the_secret_once(api_as, creator):
    client = api_as(creator)
    response = client.post("/api/v1/webhooks/", {"url": GOOD_URL, "description": "farm"}, format="json")

    assert response.status_code == 201
    body = response.json()
    endpoint = WebhookEndpoint.objects.get()
    assert body["secret"] == endpoint.secret
    assert body["events"] == [choice.value for choice in WebhookEventType]
    assert "secret" not in client.get(f"/api/v1/webhooks/{endpoint.pk}/").json()
    assert "secret" not in client.get("/api/v1/webhooks/").json()[0]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"url": "https://169.254.169.254/latest/meta-data/"}, "url"),
        ({"url": "https://user:pw@example.com/"}, "url"),
        ({"url": "ftp://example.com/"}, "url"),
        ({"url": GOOD_URL, "events": []}, "events"),
        ({"url": GOOD_URL, "events": ["licence.exploded"]}, "events"),
        ({}, "url"),
    ],
)
def test_bad_input_is_400_and_registers_nothing(api_as, creator, data, field):
    response = api_as(creator).post("/api/v1/webhooks/", data, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not WebhookEndpoint.objects.exists()


def test_deliveries_list_the_latest_with_their_outcome(api_as, creator, endpoint, delivery):
    body = api_as(creator).get(f"/api/v1/webhooks/{endpoint.pk}/deliveries/").json()

    assert [(row["event_id"], row["status"], row["attempts"]) for row in body] == [
        (str(delivery.event_id), "abandoned", 8)
    ]


def test_replay_sends_again_with_the_same_id_and_refuses_twice(api_as, creator, endpoint, delivery):
    client = api_as(creator)
    path = f"/api/v1/webhooks/{endpoint.pk}/deliveries/{delivery.pk}/replay"

    response = client.post(path)
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["event_id"]) == ("pending", str(delivery.event_id))
    assert client.post(path).status_code == 409


def test_delete(api_as, creator, endpoint, delivery):
    assert api_as(creator).delete(f"/api/v1/webhooks/{endpoint.pk}/").status_code == 204
    assert not WebhookEndpoint.objects.exists()
    assert not WebhookDelivery.objects.exists()
