"""Generated outputs and webhooks in the admin: listed and readable, never
editable there, and a webhook's signing secret never shown."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.test import override_settings

from conftest import make_user
from usage_requests.services.webhooks import webhook_endpoint_create
from usage_requests.tests.factories import active_contract, open_actor, stored_output

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    staff = make_user("staff@example.com", is_staff=True, is_superuser=True)
    TOTP.activate(staff, "JBSWY3DPEHPK3PXPJBSWY3DP")
    client.force_login(staff)
    return client


@override_settings(WEBHOOK_ALLOW_LOOPBACK_HTTP=True)
def test_outputs_and_webhooks_are_listed_read_only_and_the_secret_never_shows(staff_client, actor, creator, media_root):
    contract = active_contract(actor=open_actor(actor.actor_profile), creator=creator.creator_profile)
    output = stored_output(contract)
    endpoint, secret = webhook_endpoint_create(owner=creator, url="http://127.0.0.1:9/hook", events=["licence.revoked"])
    for listing in ["generatedoutput", "webhookendpoint", "webhookdelivery"]:
        assert staff_client.get(f"/admin/usage_requests/{listing}/").status_code == 200
    page = staff_client.get(f"/admin/usage_requests/generatedoutput/{output.pk}/change/")
    assert page.status_code == 200
    assert output.sha256.encode() in page.content
    endpoint_page = staff_client.get(f"/admin/usage_requests/webhookendpoint/{endpoint.pk}/change/")
    assert endpoint_page.status_code == 200
    assert secret.encode() not in endpoint_page.content
    assert staff_client.get("/admin/usage_requests/generatedoutput/add/").status_code == 403
    before = output.status
    staff_client.post(f"/admin/usage_requests/generatedoutput/{output.pk}/change/", {"status": "approved"})
    output.refresh_from_db()
    assert output.status == before
