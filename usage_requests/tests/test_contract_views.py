"""The contract pages seen from the browser: the list, the contract rendered
from its snapshot, signing, revoking, and the originals a creator may download
while (and only while) the contract is active."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from actors.models import ActorProfile, AssetAccess
from actors.tests.factories import photo_for
from creators.models import CreatorProfile
from marketplace.models import AuditEvent
from usage_requests.models import Contract, ContractEvent, ContractStatus, Delivery, Signature
from usage_requests.services import contract_revoke, contract_sign, contract_suspend
from usage_requests.tests.factories import accepted_contract, active_contract, open_actor

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]

LOGIN = "/accounts/login/"
ACTOR_LEGAL = "Lin Xiaoyu Legal"
CREATOR_LEGAL = "Lumen Pictures Ltd"


def _with_legal_names(actor, creator) -> tuple[ActorProfile, CreatorProfile]:
    ActorProfile.objects.filter(user=actor).update(legal_name=ACTOR_LEGAL)
    CreatorProfile.objects.filter(user=creator).update(legal_name=CREATOR_LEGAL)
    return ActorProfile.objects.get(user=actor), CreatorProfile.objects.get(user=creator)


@pytest.fixture
def unsigned(actor, creator) -> Contract:
    """A contract awaiting both signatures; both parties have legal names."""
    actor_profile, creator_profile = _with_legal_names(actor, creator)
    return accepted_contract(actor=open_actor(actor_profile), creator=creator_profile)


@pytest.fixture
def active(actor, creator) -> Contract:
    return active_contract(actor=open_actor(actor.actor_profile), creator=creator.creator_profile)


def url(contract: Contract, action: str = "") -> str:
    return f"/contracts/{contract.pk}/{action + '/' if action else ''}"


def page(response) -> str:
    return response.content.decode()


# --- Access rules common to every page ---------------------------------------------


@pytest.mark.parametrize(("method", "action"), [("get", ""), ("post", "sign"), ("post", "revoke")])
def test_anonymous_is_sent_to_sign_in(anonymous, unsigned, method, action):
    response = getattr(anonymous, method)(url(unsigned, action))
    assert response.status_code == 302
    assert response.url.startswith(LOGIN)


def test_anonymous_contract_list_is_sent_to_sign_in(anonymous):
    response = anonymous.get("/contracts/")
    assert response.status_code == 302
    assert response.url.startswith(LOGIN)


@pytest.mark.parametrize(
    ("method", "action"), [("post", ""), ("get", "sign"), ("get", "revoke"), ("put", ""), ("delete", "sign")]
)
def test_wrong_method_is_405(login, actor, unsigned, method, action):
    assert getattr(login(actor), method)(url(unsigned, action)).status_code == 405


def test_contract_list_wrong_method_is_405(login, actor):
    assert login(actor).post("/contracts/").status_code == 405


@pytest.mark.parametrize("who", ["other_actor", "other_creator", "moderator", "newcomer"])
@pytest.mark.parametrize(("method", "action"), [("get", ""), ("post", "sign"), ("post", "revoke")])
def test_outsider_gets_audited_404_and_nothing_changes(request, login, unsigned, who, method, action):
    client = login(request.getfixturevalue(who))
    data = {"typed_name": ACTOR_LEGAL, "consent": "on", "reason": "because"}
    response = getattr(client, method)(url(unsigned, action), data)
    assert response.status_code == 404
    assert AuditEvent.objects.filter(action=AuditEvent.Action.AUTHZ_DENIED).exists()
    unsigned.refresh_from_db()
    assert unsigned.status == ContractStatus.AWAITING_SIGNATURES
    assert not Signature.objects.exists()


def test_missing_contract_is_404(login, actor):
    assert login(actor).get("/contracts/999999/").status_code == 404


@pytest.mark.parametrize("who", ["moderator", "newcomer"])
def test_contract_list_needs_an_actor_or_creator_role(request, login, who):
    assert login(request.getfixturevalue(who)).get("/contracts/").status_code == 403


# --- The list --------------------------------------------------------------------


def test_contract_list_shows_both_sides_with_counterpart_project_code_and_term(login, actor, creator, unsigned):
    for user, counterpart in [(actor, "Lumen Pictures"), (creator, "Lin Xiaoyu")]:
        response = login(user).get("/contracts/")
        assert response.status_code == 200
        body = page(response)
        assert unsigned.licence_code in body
        assert counterpart in body
        assert unsigned.snapshot["project"]["title"] in body
        assert "Awaiting signatures" in body
        assert unsigned.term_end.isoformat() in body


def test_contract_list_hides_other_peoples_contracts(login, other_creator, unsigned):
    response = login(other_creator).get("/contracts/")
    assert response.status_code == 200
    assert unsigned.licence_code not in page(response)


def test_contract_list_query_count_does_not_grow_with_contracts(login, actor, creator, django_assert_max_num_queries):
    actor_profile, creator_profile = _with_legal_names(actor, creator)
    actor_profile = open_actor(actor_profile)
    client = login(creator)
    accepted_contract(actor=actor_profile, creator=creator_profile)
    with django_assert_max_num_queries(12) as one:
        assert client.get("/contracts/").status_code == 200
    contracts = [accepted_contract(actor=actor_profile, creator=creator_profile) for _ in range(19)]
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get("/contracts/")
    body = page(response)
    for contract in contracts:
        assert contract.licence_code in body


# --- The contract page -------------------------------------------------------------


def test_contract_page_renders_the_snapshot_not_live_rows(login, actor, creator, unsigned):
    project = unsigned.project
    original_title = project.title
    project.title = "Renamed after signing"
    project.save()
    unsigned.request.request_shots.first().shot.__class__.objects.filter(project=project).update(
        description="Changed live description"
    )
    body = page(login(actor).get(url(unsigned)))
    assert original_title in body
    assert "Renamed after signing" not in body
    assert "Changed live description" not in body
    assert unsigned.snapshot["shots"][0]["description"] in body


def test_contract_page_shows_terms_clauses_hash_code_and_verification_link(login, actor, unsigned):
    response = login(actor).get(url(unsigned))
    assert response.status_code == 200
    body = page(response)
    assert "5,000.00 CNY" in body or "5000.00 CNY" in body
    assert "Mainland China" in body
    assert "No training or fine-tuning of any model on the likeness" in body
    assert unsigned.terms_hash in body
    assert f'href="/verify/{unsigned.licence_code}/"' in body
    assert "canonical JSON" in body
    assert "Awaiting signatures" in body
    assert "css/contract.css" in body
    assert "js/contract.js" in body
    for clause in unsigned.snapshot["clauses"]:
        assert f'data-clause="{clause}"' in body
    assert "Contract created" in body  # the timeline


def test_contract_permitting_training_says_so_for_the_listed_shots_only(login, actor, creator):
    actor_profile, creator_profile = _with_legal_names(actor, creator)
    contract = accepted_contract(
        actor=open_actor(actor_profile, ai_training_allowed=True), creator=creator_profile, ai_training=True
    )
    body = page(login(actor).get(url(contract)))
    assert "No training or fine-tuning" not in body
    assert "permitted only to produce this project" in body


def test_contract_page_lists_only_the_approved_shots(login, actor, creator):
    actor_profile, creator_profile = _with_legal_names(actor, creator)
    contract = accepted_contract(actor=open_actor(actor_profile), creator=creator_profile, veto=1)
    shots = list(contract.request.request_shots.select_related("shot").order_by("shot__number"))
    vetoed = shots[-1].shot
    body = page(login(creator).get(url(contract)))
    assert len(contract.snapshot["shots"]) == 2
    for row in shots[:-1]:
        assert row.shot.description in body
    assert vetoed.description not in body


def test_contract_page_renders_in_chinese_from_the_browser_language(client, unsigned):
    """A user who never chose a language reads the browser's."""
    actor = unsigned.actor.user
    actor.preferred_language = ""
    actor.save(update_fields=["preferred_language"])
    client.force_login(actor)
    response = client.get(url(unsigned), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert '<html lang="zh-Hans">' in page(response)
    assert "跳到正文" in page(response)
    assert unsigned.terms_hash in page(response)


@pytest.mark.parametrize("who", ["actor", "creator"])
def test_contract_page_renders_in_chinese_for_a_chinese_reader(request, login, active, who):
    user = request.getfixturevalue(who)
    user.preferred_language = "zh-hans"
    user.save(update_fields=["preferred_language"])
    response = login(user).get(url(active))
    assert response.status_code == 200
    assert '<html lang="zh-Hans">' in page(response)
    assert "进行中" in page(response)  # the status "Active"


def test_signatures_and_timeline_appear_once_signed(login, creator, active):
    body = page(login(creator).get(url(active)))
    assert ACTOR_LEGAL in body
    assert CREATOR_LEGAL in body
    assert "Active" in body
    assert "Signed" in body


# --- Signing -----------------------------------------------------------------------


def test_sign_form_is_shown_to_a_party_who_has_not_signed(login, actor, unsigned):
    body = page(login(actor).get(url(unsigned)))
    assert f'action="/contracts/{unsigned.pk}/sign/"' in body
    assert 'name="typed_name"' in body
    assert 'name="consent"' in body


def test_both_parties_sign_and_the_contract_becomes_active(login, actor, creator, unsigned):
    response = login(actor).post(url(unsigned, "sign"), {"typed_name": "lin  xiaoyu legal", "consent": "on"})
    assert response.status_code == 302
    assert response.url == url(unsigned)
    unsigned.refresh_from_db()
    assert unsigned.status == ContractStatus.AWAITING_SIGNATURES
    signature = Signature.objects.get(contract=unsigned, party="actor")
    assert signature.ip_address == "127.0.0.1"
    assert f'action="/contracts/{unsigned.pk}/sign/"' not in page(login(actor).get(url(unsigned)))

    response = login(creator).post(url(unsigned, "sign"), {"typed_name": CREATOR_LEGAL, "consent": "on"})
    assert response.status_code == 302
    unsigned.refresh_from_db()
    assert unsigned.status == ContractStatus.ACTIVE
    assert ContractEvent.objects.filter(contract=unsigned, kind=ContractEvent.Kind.ACTIVATED).exists()
    # Issue 17: "now active" said nothing about the term; the message says "in force" (or when it starts).
    assert "Both parties have signed: the licence is in force." in page(login(creator).get(url(unsigned)))


def test_wrong_name_is_refused_on_its_field_and_nothing_is_saved(login, actor, unsigned):
    response = login(actor).post(url(unsigned, "sign"), {"typed_name": "Somebody Else", "consent": "on"})
    assert response.status_code == 400
    assert "Type your legal name exactly as it is on your profile." in page(response)
    assert 'name="typed_name" value="Somebody Else"' in page(response) or "is-invalid" in page(response)
    assert not Signature.objects.exists()
    assert not ContractEvent.objects.filter(kind=ContractEvent.Kind.SIGNED).exists()


def test_missing_consent_is_refused_and_nothing_is_saved(login, actor, unsigned):
    response = login(actor).post(url(unsigned, "sign"), {"typed_name": ACTOR_LEGAL})
    assert response.status_code == 400
    assert "Tick the box to confirm that you agree to the contract." in page(response)
    assert not Signature.objects.exists()


def test_empty_name_is_a_form_error(login, actor, unsigned):
    response = login(actor).post(url(unsigned, "sign"), {"typed_name": "  ", "consent": "on"})
    assert response.status_code == 400
    assert not Signature.objects.exists()


def test_missing_legal_name_points_to_the_profile(login, actor, creator):
    contract = accepted_contract(actor=open_actor(actor.actor_profile), creator=creator.creator_profile)
    ActorProfile.objects.filter(user=actor).update(legal_name="")
    CreatorProfile.objects.filter(user=creator).update(legal_name="")
    body = page(login(actor).get(url(contract)))
    assert 'href="/actors/me/"' in body
    body = page(login(creator).get(url(contract)))
    assert 'href="/creators/me/"' in body
    response = login(actor).post(url(contract, "sign"), {"typed_name": "Anyone", "consent": "on"})
    assert response.status_code == 400
    assert "Add your legal name to your profile first" in page(response)
    assert not Signature.objects.exists()


def test_signing_after_the_deadline_is_refused(login, actor, unsigned):
    with time_machine.travel(unsigned.sign_deadline + timedelta(minutes=1)):
        client = login(actor)
        assert "The time to sign this contract has passed" in page(client.get(url(unsigned)))
        response = client.post(url(unsigned, "sign"), {"typed_name": ACTOR_LEGAL, "consent": "on"})
    assert response.status_code == 302
    assert not Signature.objects.exists()
    follow = login(actor).get(response.url)
    assert "The time to sign this contract has passed." in page(follow)


def test_signing_twice_is_refused_with_a_message(login, actor, unsigned):
    client = login(actor)
    client.post(url(unsigned, "sign"), {"typed_name": ACTOR_LEGAL, "consent": "on"})
    response = client.post(url(unsigned, "sign"), {"typed_name": ACTOR_LEGAL, "consent": "on"}, follow=True)
    assert "You have already signed this contract." in page(response)
    assert Signature.objects.count() == 1


def test_signing_an_active_contract_is_refused(login, actor, active):
    response = login(actor).post(url(active, "sign"), {"typed_name": ACTOR_LEGAL, "consent": "on"}, follow=True)
    assert "it can no longer be signed" in page(response)
    assert Signature.objects.filter(contract=active).count() == 2


# --- Revoking ----------------------------------------------------------------------


def test_actor_revokes_an_active_contract_with_a_reason(login, actor, active):
    client = login(actor)
    assert f'action="/contracts/{active.pk}/revoke/"' in page(client.get(url(active)))
    response = client.post(url(active, "revoke"), {"reason": "The project changed its tone."})
    assert response.status_code == 302
    active.refresh_from_db()
    assert active.status == ContractStatus.REVOKED
    assert active.end_reason == "The project changed its tone."
    body = page(client.get(url(active)))
    assert "Revoked by the actor" in body
    assert "The project changed its tone." in body


def test_revoke_without_a_reason_is_400_and_changes_nothing(login, actor, active):
    response = login(actor).post(url(active, "revoke"), {"reason": "   "})
    assert response.status_code == 400
    active.refresh_from_db()
    assert active.status == ContractStatus.ACTIVE
    assert not ContractEvent.objects.filter(kind=ContractEvent.Kind.REVOKED).exists()


def test_creator_may_not_revoke(login, creator, active):
    response = login(creator).post(url(active, "revoke"), {"reason": "I want out"})
    assert response.status_code == 403
    active.refresh_from_db()
    assert active.status == ContractStatus.ACTIVE


def test_creator_sees_no_revoke_form(login, creator, active):
    assert "/revoke/" not in page(login(creator).get(url(active)))


def test_revoking_an_unsigned_contract_is_refused_with_a_message(login, actor, unsigned):
    response = login(actor).post(url(unsigned, "revoke"), {"reason": "Changed my mind"}, follow=True)
    assert response.status_code == 200
    assert "that cannot be done now" in page(response)
    unsigned.refresh_from_db()
    assert unsigned.status == ContractStatus.AWAITING_SIGNATURES


# --- Licensed assets ---------------------------------------------------------------


def original_url(photo) -> str:
    return f"/actors/photos/{photo.pk}/original/"


def test_creator_downloads_originals_only_while_the_contract_is_active(login, actor, creator, active):
    photo = photo_for(active.actor, seed=11)
    client = login(creator)
    body = page(client.get(url(active)))
    assert original_url(photo) in body

    response = client.get(original_url(photo))
    assert response.status_code == 200
    b"".join(response.streaming_content)
    access = AssetAccess.objects.get(photo=photo, kind="original", outcome=AssetAccess.Outcome.GRANTED)
    assert access.purpose == active.licence_code

    contract_revoke(contract=active, user=actor, reason="Done with this")
    assert original_url(photo) not in page(client.get(url(active)))
    assert client.get(original_url(photo)).status_code == 404
    denied = AssetAccess.objects.get(photo=photo, kind="original", outcome=AssetAccess.Outcome.DENIED)
    assert denied.viewer == creator


def test_no_download_links_before_signing(login, creator, unsigned):
    photo = photo_for(unsigned.actor, seed=12)
    client = login(creator)
    assert original_url(photo) not in page(client.get(url(unsigned)))
    assert client.get(original_url(photo)).status_code == 404


def test_no_download_links_while_suspended(login, creator, active):
    photo = photo_for(active.actor, seed=13)
    contract_suspend(contract=active, by=None, reason="dispute")
    client = login(creator)
    assert original_url(photo) not in page(client.get(url(active)))
    assert client.get(original_url(photo)).status_code == 404


@pytest.mark.parametrize("days", [-1, 1], ids=["before-the-term", "after-the-term"])
def test_no_download_links_outside_the_term(login, creator, active, days):
    photo = photo_for(active.actor, seed=15)
    outside = active.term_start - timedelta(days=1) if days < 0 else active.term_end + timedelta(days=1)
    client = login(creator)
    with time_machine.travel(outside.isoformat() + "T12:00:00Z", tick=False):
        assert original_url(photo) not in page(client.get(url(active)))
        assert client.get(original_url(photo)).status_code == 404


def test_actor_sees_no_download_section(login, actor, active):
    photo = photo_for(active.actor, seed=14)
    assert original_url(photo) not in page(login(actor).get(url(active)))


def test_sign_deadline_banner_shows_until_signed(login, creator, unsigned):
    with time_machine.travel(timezone.now()):
        body = page(login(creator).get(url(unsigned)))
    assert "must be signed by" in body
    contract_sign(contract=unsigned, user=creator, typed_name=CREATOR_LEGAL, consent=True)
    assert f'action="/contracts/{unsigned.pk}/sign/"' not in page(login(creator).get(url(unsigned)))


def test_a_creators_tool_downloads_originals_with_its_token_only_while_licensed(actor, creator, active, token_for):
    from rest_framework.test import APIClient

    from marketplace.models import ApiToken
    from marketplace.services import api_token_revoke

    photo = photo_for(active.actor, seed=13)
    tool = APIClient()
    tool.credentials(HTTP_AUTHORIZATION=f"Token {token_for(creator)}")
    response = tool.get(original_url(photo))
    assert response.status_code == 200
    # A fresh copy made for this download, not the stored file (test_deliveries.py).
    assert b"".join(response.streaming_content) != stored_bytes(photo.original)
    access = AssetAccess.objects.get(photo=photo, kind="original", outcome=AssetAccess.Outcome.GRANTED)
    assert access.viewer == creator
    assert Delivery.objects.get(access=access).channel == Delivery.Channel.API

    api_token_revoke(token=ApiToken.objects.get(user=creator), user=creator)
    assert tool.get(original_url(photo)).status_code == 404


def test_a_token_without_a_licence_downloads_nothing(actor, other_creator, active, token_for):
    from rest_framework.test import APIClient

    photo = photo_for(active.actor, seed=14)
    tool = APIClient()
    tool.credentials(HTTP_AUTHORIZATION=f"Token {token_for(other_creator)}")
    assert tool.get(original_url(photo)).status_code == 404
    assert AssetAccess.objects.filter(photo=photo, viewer=other_creator, outcome=AssetAccess.Outcome.DENIED).exists()


def stored_bytes(field) -> bytes:
    with field.storage.open(field.name, "rb") as handle:
        return handle.read()


def test_the_api_lists_licensed_originals_for_the_creator_only_while_in_force(actor, creator, active, api_as):
    photo = photo_for(active.actor, seed=15)
    detail = f"/api/v1/contracts/{active.pk}/"
    assets = api_as(creator).get(detail).json()["assets"]
    assert [asset["photo_id"] for asset in assets] == [photo.pk]
    assert assets[0]["original_url"].endswith(original_url(photo))
    assert api_as(actor).get(detail).json()["assets"] == []
    contract_suspend(contract=active, by=None, reason="Dispute")
    assert api_as(creator).get(detail).json()["assets"] == []


@pytest.mark.parametrize(
    ("language", "shown", "not_shown"),
    [("en", "5,000.00 CNY", "(CNY))"), ("zh-hans", "5,000.00 CNY", "（CNY）")],
)
def test_the_fee_names_its_currency_once(login, actor, unsigned, language, shown, not_shown):
    actor.preferred_language = language
    actor.save(update_fields=["preferred_language"])
    body = page(login(actor).get(url(unsigned)))
    assert shown in body
    assert ("(Chinese yuan)" if language == "en" else "（人民币）") in body
    assert not_shown not in body
