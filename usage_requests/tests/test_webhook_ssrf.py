"""Webhooks go to the public internet only, in production-like settings
(``WEBHOOK_ALLOW_LOOPBACK_HTTP`` off): registration refuses private,
loopback, link-local and reserved destinations, and a delivery whose host
points at one now is refused at send time and recorded as failed."""

import ipaddress
import socket

import pytest

from marketplace import outbound
from usage_requests.models import WebhookDelivery, WebhookDeliveryStatus, WebhookEndpoint
from usage_requests.services.webhooks import webhook_endpoint_create, webhook_endpoint_deliver, webhook_ping_send

pytestmark = pytest.mark.django_db

PUBLIC = "93.184.216.34"


@pytest.fixture(autouse=True)
def production_like(settings, monkeypatch):
    settings.DEBUG = False
    settings.WEBHOOK_ALLOW_LOOPBACK_HTTP = False
    names = {"hooks.example.com": [PUBLIC], "internal.example.com": ["10.1.2.3"], "mixed.example.com": [PUBLIC, "::1"]}

    def resolve(host, port):
        if host not in names:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return names[host]

    monkeypatch.setattr(outbound, "resolve", resolve)
    return names


REFUSED_URLS = [
    "https://10.0.0.1/hook",
    "https://169.254.169.254/latest/meta-data/",
    "https://127.0.0.1/hook",
    "https://localhost/hook",
    "https://[::1]/hook",
    "https://[::ffff:10.0.0.1]/hook",
    "https://[::ffff:127.0.0.1]/hook",
    "https://0.0.0.0/hook",
    "https://224.0.0.1/hook",
    "https://100.64.0.1/hook",
    "https://internal.example.com/hook",
    "https://mixed.example.com/hook",
    "https://nowhere.example.com/hook",
    "http://hooks.example.com/hook",
    "http://127.0.0.1:8000/hook",
    "https://user:pass@hooks.example.com/hook",
    "ftp://hooks.example.com/hook",
    "https://hooks.example.com:99999/hook",
    "https://hooks.example.com/a#frag",
    "https:///no-host",
    "https://hooks.example.com/" + "a" * 500,
]


@pytest.mark.parametrize("url", REFUSED_URLS)
def test_registration_refuses_what_is_not_a_public_https_url(creator, url):
    with pytest.raises(outbound.UnsafeDestination) as refused:
        webhook_endpoint_create(owner=creator, url=url, events=["licence.revoked"])

    assert refused.value.field == "url"
    assert not WebhookEndpoint.objects.exists()


def test_registration_takes_a_public_https_url_with_a_port(creator):
    endpoint, secret = webhook_endpoint_create(
        owner=creator, url="https://hooks.example.com:8443/consentcast?x=1", events=["licence.revoked"]
    )

    assert endpoint.url == "https://hooks.example.com:8443/consentcast?x=1"
    assert secret.startswith("whsec_")
    assert len(secret) > 40


def test_loopback_http_is_for_development_only(creator, settings):
    settings.WEBHOOK_ALLOW_LOOPBACK_HTTP = True

    endpoint, _secret = webhook_endpoint_create(
        owner=creator, url="http://127.0.0.1:9/hook", events=["licence.revoked"]
    )

    assert endpoint.pk
    with pytest.raises(outbound.UnsafeDestination):
        webhook_endpoint_create(owner=creator, url="http://10.0.0.1/hook", events=["licence.revoked"])


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("https://10.0.0.1/hook", "10.0.0.1, a private or reserved address"),
        ("https://169.254.169.254/latest/meta-data/", "169.254.169.254, a private or reserved address"),
        ("https://127.0.0.1/hook", "127.0.0.1, a private or reserved address"),
        ("https://internal.example.com/hook", "10.1.2.3, a private or reserved address"),
        ("http://127.0.0.1:8000/hook", "must start with https://"),
    ],
)
def test_a_delivery_to_a_private_address_is_refused_and_recorded_as_failed(
    creator, url, error, django_capture_on_commit_callbacks
):
    # As if the name pointed elsewhere when it was registered.
    endpoint = WebhookEndpoint.objects.create(owner=creator, url=url, events=["licence.revoked"])

    with django_capture_on_commit_callbacks(execute=True):
        webhook_ping_send(endpoint=endpoint)

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDeliveryStatus.FAILED
    assert delivery.last_status_code is None
    assert delivery.last_error.startswith("Refused: ")
    assert error in delivery.last_error


def test_the_connection_goes_to_the_address_that_was_checked(creator, monkeypatch):
    """DNS rebinding: the name is resolved once, checked, and that very
    address is connected to; the Host header stays the name."""
    endpoint = WebhookEndpoint.objects.create(owner=creator, url="https://hooks.example.com/in")
    webhook_ping_send(endpoint=endpoint)
    connected = []

    def create_connection(address, timeout=None, *args, **kwargs):
        connected.append(address)
        raise ConnectionRefusedError("test: no network")

    monkeypatch.setattr(outbound.socket, "create_connection", create_connection)
    webhook_endpoint_deliver(endpoint_id=endpoint.pk)

    assert connected == [(PUBLIC, 443)]
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDeliveryStatus.FAILED
    assert "ConnectionRefusedError" in delivery.last_error


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        ("93.184.216.34", True),
        ("2606:2800:220:1:248:1893:25c8:1946", True),
        ("10.0.0.1", False),
        ("172.16.5.4", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),
        ("127.0.0.1", False),
        ("0.0.0.0", False),  # noqa: S104 - an address refused, not bound
        ("255.255.255.255", False),
        ("240.0.0.1", False),
        ("100.64.0.1", False),
        ("::1", False),
        ("::", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("ff02::1", False),
        ("::ffff:10.0.0.1", False),
        ("::ffff:169.254.169.254", False),
    ],
)
def test_address_allowed(address, allowed):
    assert outbound.address_allowed(ipaddress.ip_address(address)) is allowed
