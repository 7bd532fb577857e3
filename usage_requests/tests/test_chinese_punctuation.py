"""The request, contract, output and webhook pages in Chinese use full-width
punctuation beside Chinese text: no "创作者: …", "（CNY)" or "工具, …" where a
label meets its value (the catalog test checks each translation; this checks
what the templates put around them)."""

import re
from html import unescape

import pytest
from django.test import override_settings

from conftest import make_user
from usage_requests.services.webhooks import webhook_endpoint_create
from usage_requests.tests.factories import active_contract, open_actor, send_request, stored_output

pytestmark = pytest.mark.django_db

HALF_WIDTH_BESIDE_CHINESE = re.compile(r"[\u4e00-\u9fff][:;,?!()]|[()][\u4e00-\u9fff]")
HIDDEN = re.compile(r"<(script|style|template|textarea)\b.*?</\1>|<!--.*?-->", re.S)
TAG = re.compile(r"<[^>]+>")


def visible_text(html: str) -> str:
    return unescape(TAG.sub(" ", HIDDEN.sub(" ", html)))


@pytest.fixture
def chinese_parties(actor, creator):
    for user in (actor, creator):
        user.preferred_language = "zh-hans"
        user.save(update_fields=["preferred_language"])
    return actor, creator


@override_settings(WEBHOOK_ALLOW_LOOPBACK_HTTP=True)
def test_chinese_pages_put_full_width_punctuation_beside_chinese_text(client, chinese_parties, media_root):
    actor, creator = chinese_parties
    profile = open_actor(actor.actor_profile)
    contract = active_contract(actor=profile, creator=creator.creator_profile)
    stored_output(contract, seed=1)
    stored_output(contract, seed=2, status="rejected", review_note="不像我。")
    other = make_user("another.actor@example.com", language="zh-hans")
    from actors.tests.factories import ActorProfileFactory

    pending = send_request(actor=open_actor(ActorProfileFactory(user=other)), creator=creator.creator_profile)
    endpoint, _secret = webhook_endpoint_create(
        owner=creator, url="http://127.0.0.1:9/hook", description="剪辑工具", events=["licence.revoked"]
    )
    pages = {
        creator: [
            f"/contracts/{contract.pk}/",
            f"/contracts/{contract.pk}/outputs/",
            f"/requests/{pending.pk}/",
            "/requests/",
            "/contracts/",
            "/webhooks/",
            f"/webhooks/{endpoint.pk}/",
        ],
        actor: [f"/contracts/{contract.pk}/", f"/contracts/{contract.pk}/outputs/review/"],
        None: [f"/verify/{contract.licence_code}/", "/verify/"],
    }
    checked = 0
    for user, paths in pages.items():
        client.logout()
        if user is not None:
            client.force_login(user)
        for path in paths:
            response = client.get(path, HTTP_ACCEPT_LANGUAGE="zh-hans")
            assert response.status_code == 200, path
            text = visible_text(response.content.decode())
            assert "的" in text or "许可" in text, f"{path} is not in Chinese"
            assert HALF_WIDTH_BESIDE_CHINESE.findall(text) == [], path
            checked += 1
    assert checked == 11
