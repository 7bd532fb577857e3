"""The webhook pages: a creator registers a URL and sees its secret once,
sees the deliveries, sends a test event, replays, turns it off and on,
rotates the secret and deletes it; anyone else is kept out."""

import pytest

from usage_requests.models import WebhookDelivery, WebhookDeliveryStatus, WebhookEndpoint
from usage_requests.services.webhooks import webhook_endpoint_create, webhook_ping_send

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
GOOD_URL = "http://127.0.0.1:9/consentcast"
ACTIONS = ["test", "disable", "enable", "rotate-secret", "delete"]


@pytest.fixture(autouse=True)
def loopback_allowed(settings):
    settings.WEBHOOK_ALLOW_LOOPBACK_HTTP = True


@pytest.fixture
def endpoint(creator):
    return webhook_endpoint_create(owner=creator, url=GOOD_URL, events=["licence.revoked"])[0]


@pytest.fixture
def delivery(endpoint):
    delivery = webhook_ping_send(endpoint=endpoint)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status=WebhookDeliveryStatus.FAILED, attempts=3)
    return delivery


def state(endpoint):
    row = WebhookEndpoint.objects.filter(pk=endpoint.pk).values("active", "secret").first()
    return row, list(WebhookDelivery.objects.values_list("status", "attempts"))


def test_anonymous_is_sent_to_sign_in(client, endpoint):
    for url in ("/webhooks/", f"/webhooks/{endpoint.pk}/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN)


@pytest.mark.parametrize("action", ACTIONS)
def test_anonymous_actions_change_nothing(client, endpoint, action):
    before = state(endpoint)
    response = client.post(f"/webhooks/{endpoint.pk}/{action}/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert state(endpoint) == before


def test_an_actor_without_a_creator_profile_gets_403(login, actor, endpoint):
    client = login(actor)
    assert client.get("/webhooks/").status_code == 403
    assert client.post("/webhooks/", {"url": GOOD_URL, "events": ["licence.revoked"]}).status_code == 403
    assert WebhookEndpoint.objects.count() == 1


@pytest.mark.parametrize("action", ACTIONS)
def test_another_creator_gets_404_and_nothing_changes(login, other_creator, endpoint, delivery, action):
    client = login(other_creator)
    before = state(endpoint)
    assert client.get(f"/webhooks/{endpoint.pk}/").status_code == 404
    assert client.post(f"/webhooks/{endpoint.pk}/{action}/").status_code == 404
    assert client.post(f"/webhooks/{endpoint.pk}/deliveries/{delivery.pk}/replay/").status_code == 404
    assert state(endpoint) == before


@pytest.mark.parametrize("action", ACTIONS)
def test_actions_refuse_get(login, creator, endpoint, action):
    assert login(creator).get(f"/webhooks/{endpoint.pk}/{action}/").status_code == 405


def test_detail_refuses_post(login, creator, endpoint):
    assert login(creator).post(f"/webhooks/{endpoint.pk}/").status_code == 405


def test_registering_shows_the_secret_once_on_the_next_page(login, creator):
    client = login(creator)
    response = client.post(
        "/webhooks/", {"url": GOOD_URL, "description": "render farm", "events": ["licence.revoked", "output.approved"]}
    )

    endpoint = WebhookEndpoint.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/webhooks/{endpoint.pk}/"
    assert (endpoint.url, endpoint.description, endpoint.events) == (
        GOOD_URL,
        "render farm",
        ["licence.revoked", "output.approved"],
    )
    first = client.get(response["Location"])
    assert endpoint.secret in first.content.decode()
    again = client.get(response["Location"])
    assert endpoint.secret not in again.content.decode()
    assert endpoint.secret_hint in again.content.decode()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"url": "https://10.0.0.1/hook", "events": ["licence.revoked"]}, "private or reserved"),
        ({"url": "http://example.com/hook", "events": ["licence.revoked"]}, "https://"),
        ({"url": "", "events": ["licence.revoked"]}, "required"),
        ({"url": GOOD_URL, "events": []}, "required"),
        ({"url": GOOD_URL, "events": ["licence.exploded"]}, "licence.exploded"),
        ({"url": GOOD_URL + "/" + "a" * 500, "events": ["licence.revoked"]}, "500"),
    ],
)
def test_bad_input_is_400_and_registers_nothing(login, creator, data, field):
    response = login(creator).post("/webhooks/", data)

    assert response.status_code == 400
    assert field in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_the_list_shows_my_webhooks_only(login, creator, other_creator, endpoint, django_assert_max_num_queries):
    webhook_endpoint_create(owner=other_creator, url="http://127.0.0.1:9/theirs", events=["licence.revoked"])
    client = login(creator)
    with django_assert_max_num_queries(12):
        response = client.get("/webhooks/")
    assert GOOD_URL in response.content.decode()
    assert "/theirs" not in response.content.decode()


def test_the_detail_page_shows_the_deliveries(login, creator, endpoint, delivery, django_assert_max_num_queries):
    WebhookDelivery.objects.filter(pk=delivery.pk).update(last_status_code=502, last_response="bad gateway")
    client = login(creator)
    with django_assert_max_num_queries(12):
        response = client.get(f"/webhooks/{endpoint.pk}/")
    page = response.content.decode()
    assert str(delivery.event_id) in page
    assert "502" in page
    assert "bad gateway" in page


def test_send_a_test_event_queues_a_ping(login, creator, endpoint):
    response = login(creator).post(f"/webhooks/{endpoint.pk}/test/")

    assert response.status_code == 302
    assert WebhookDelivery.objects.get().event_type == "webhook.test"


def test_replay_puts_the_delivery_back_with_the_same_event_id(login, creator, endpoint, delivery):
    response = login(creator).post(f"/webhooks/{endpoint.pk}/deliveries/{delivery.pk}/replay/")

    assert response.status_code == 302
    replayed = WebhookDelivery.objects.get()
    assert (replayed.status, replayed.attempts, replayed.event_id) == ("pending", 0, delivery.event_id)


def test_replaying_a_waiting_delivery_is_refused_with_a_message(login, creator, endpoint, delivery):
    client = login(creator)
    client.post(f"/webhooks/{endpoint.pk}/deliveries/{delivery.pk}/replay/")
    response = client.post(f"/webhooks/{endpoint.pk}/deliveries/{delivery.pk}/replay/", follow=True)

    assert "waiting to be sent already" in response.content.decode()


def test_turn_off_and_on(login, creator, endpoint):
    client = login(creator)
    client.post(f"/webhooks/{endpoint.pk}/disable/")
    endpoint.refresh_from_db()
    assert (endpoint.active, endpoint.disabled_reason) == (False, "owner")

    client.post(f"/webhooks/{endpoint.pk}/enable/")
    endpoint.refresh_from_db()
    assert (endpoint.active, endpoint.disabled_reason) == (True, "")


def test_rotating_shows_the_new_secret_once(login, creator, endpoint):
    client = login(creator)
    old = endpoint.secret

    page = client.post(f"/webhooks/{endpoint.pk}/rotate-secret/", follow=True).content.decode()

    endpoint.refresh_from_db()
    assert endpoint.secret != old
    assert endpoint.secret in page
    assert endpoint.secret not in client.get(f"/webhooks/{endpoint.pk}/").content.decode()


def test_delete_removes_the_webhook_and_its_deliveries(login, creator, endpoint, delivery):
    response = login(creator).post(f"/webhooks/{endpoint.pk}/delete/")

    assert response["Location"] == "/webhooks/"
    assert not WebhookEndpoint.objects.exists()
    assert not WebhookDelivery.objects.exists()


def test_the_account_menu_links_to_webhooks_for_creators_only(login, creator, actor):
    assert 'data-testid="nav-webhooks"' in login(creator).get("/webhooks/").content.decode()
    assert 'data-testid="nav-webhooks"' not in login(actor).get("/accounts/tokens/").content.decode()
