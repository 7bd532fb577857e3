"""``/api/v1/contracts/`` (a party's contracts, read and signed) and the
public ``/api/v1/licenses/<code>/`` check, which answers what ``/verify/``
shows and shares its rate limit."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from actors.models import ActorProfile
from creators.models import CreatorProfile
from marketplace.models import AuditEvent
from usage_requests.models import Contract, ContractEvent, ContractStatus, Signature, terms_hash
from usage_requests.services.contracts import contract_expire_unsigned
from usage_requests.tests.factories import accepted_contract, active_contract, open_actor

pytestmark = pytest.mark.django_db

API = "/api/v1/contracts/"
ACTOR_LEGAL = "Lin Xiaoyu Legal"
CREATOR_LEGAL = "Lumen Pictures Ltd"


def _with_legal_names(actor, creator) -> tuple[ActorProfile, CreatorProfile]:
    ActorProfile.objects.filter(user=actor).update(legal_name=ACTOR_LEGAL)
    CreatorProfile.objects.filter(user=creator).update(legal_name=CREATOR_LEGAL)
    return ActorProfile.objects.get(user=actor), CreatorProfile.objects.get(user=creator)


@pytest.fixture
def parties(actor, creator) -> tuple[ActorProfile, CreatorProfile]:
    """The actor (on the roster) and the creator, both with legal names."""
    actor_profile, creator_profile = _with_legal_names(actor, creator)
    return open_actor(actor_profile), creator_profile


@pytest.fixture
def unsigned(parties) -> Contract:
    """Awaiting both signatures; shots 1 and 2 approved, shot 3 vetoed."""
    actor_profile, creator_profile = parties
    return accepted_contract(actor=actor_profile, creator=creator_profile, veto=1)


@pytest.fixture
def others_contract(other_actor, other_creator) -> Contract:
    """A contract between two other people."""
    return accepted_contract(actor=open_actor(other_actor.actor_profile), creator=other_creator.creator_profile)


def unknown_code(contract: Contract) -> str:
    """A well-formed licence code that no contract has."""
    return "CC-2345-6789-ABCE" if contract.licence_code == "CC-2345-6789-ABCD" else "CC-2345-6789-ABCD"


def url(contract: Contract, action: str = "") -> str:
    return f"{API}{contract.pk}/{action}"


def licence(client, code: str, **extra):
    return client.get(f"/api/v1/licenses/{code}/", **extra)


def sign(client, contract: Contract, typed_name: str, consent=True):
    return client.post(url(contract, "sign"), {"typed_name": typed_name, "consent": consent}, format="json")


def state_of(contract: Contract) -> tuple:
    contract.refresh_from_db()
    return (
        contract.status,
        list(Signature.objects.filter(contract=contract).values_list("party", flat=True)),
        ContractEvent.objects.filter(contract=contract).count(),
    )


def recipients(mailoutbox) -> list[str]:
    return sorted(address for message in mailoutbox for address in message.to)


ENDPOINTS = [
    ("get", ""),
    ("get", "{pk}/"),
    ("post", "{pk}/sign"),
]
OBJECT_ENDPOINTS = [endpoint for endpoint in ENDPOINTS if "{pk}" in endpoint[1]]


def call(client, endpoint, contract: Contract):
    method, path = endpoint
    body = {"typed_name": ACTOR_LEGAL, "consent": True} if method == "post" else None
    return getattr(client, method)(API + path.format(pk=contract.pk), body, format="json")


# --- Who may call what ---------------------------------------------------------------


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: f"{e[0]} {e[1]}")
def test_anonymous_gets_401_with_token_challenge(api_client, unsigned, endpoint):
    before = state_of(unsigned)
    response = call(api_client, endpoint, unsigned)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert state_of(unsigned) == before


@pytest.mark.parametrize("persona", ["newcomer", "moderator"])
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: f"{e[0]} {e[1]}")
def test_user_without_actor_or_creator_role_gets_403(api_as, request, unsigned, persona, endpoint):
    before = state_of(unsigned)
    response = call(api_as(request.getfixturevalue(persona)), endpoint, unsigned)
    assert response.status_code == 403
    assert "role" in response.json()["detail"]
    assert state_of(unsigned) == before


@pytest.mark.parametrize("persona", ["other_actor", "other_creator"])
@pytest.mark.parametrize("endpoint", OBJECT_ENDPOINTS, ids=lambda e: f"{e[0]} {e[1]}")
def test_another_users_contract_is_an_audited_404_and_nothing_changes(api_as, request, unsigned, persona, endpoint):
    outsider = request.getfixturevalue(persona)
    before = state_of(unsigned)
    response = call(api_as(outsider), endpoint, unsigned)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert AuditEvent.objects.filter(action=AuditEvent.Action.AUTHZ_DENIED, actor=outsider).count() == 1
    assert state_of(unsigned) == before


@pytest.mark.parametrize("endpoint", OBJECT_ENDPOINTS, ids=lambda e: f"{e[0]} {e[1]}")
def test_unknown_contract_id_is_404(api_as, actor, unsigned, endpoint):
    response = call(api_as(actor), endpoint, Contract(pk=unsigned.pk + 1000))
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.AUTHZ_DENIED).exists()


@pytest.mark.parametrize(
    ("method", "path"),
    [("post", ""), ("put", "{pk}/"), ("post", "{pk}/"), ("get", "{pk}/sign"), ("delete", "{pk}/sign")],
)
def test_wrong_method_is_405_and_nothing_changes(api_as, actor, unsigned, method, path):
    before = state_of(unsigned)
    response = getattr(api_as(actor), method)(API + path.format(pk=unsigned.pk))
    assert response.status_code == 405
    assert state_of(unsigned) == before


def test_out_of_range_contract_id_is_404_not_500(api_as, actor, unsigned):
    assert api_as(actor).get(f"{API}{2**70}/").status_code == 404
    assert sign(api_as(actor), Contract(pk=2**70), ACTOR_LEGAL).status_code == 404


# --- The list ------------------------------------------------------------------------


def test_each_party_lists_the_contract_with_their_own_party(api_as, actor, creator, unsigned, others_contract):
    for user, party in [(actor, "actor"), (creator, "creator")]:
        response = api_as(user).get(API)
        assert response.status_code == 200
        (row,) = response.json()["results"]
        assert row["id"] == unsigned.pk
        assert row["my_party"] == party
        assert row["licence_code"] == unsigned.licence_code
        assert row["status"] == "awaiting_signatures"
        assert row["actor_stage_name"] == "Lin Xiaoyu"
        assert row["creator_display_name"] == "Lumen Pictures"
        assert row["terms_hash"] == unsigned.terms_hash
        assert row["request"] == unsigned.request_id


def test_list_shows_only_the_callers_contracts(api_as, other_creator, unsigned, others_contract):
    response = api_as(other_creator).get(API)
    assert [row["id"] for row in response.json()["results"]] == [others_contract.pk]


def test_list_filters_by_status(api_as, creator, parties, unsigned):
    actor_profile, creator_profile = parties
    active = active_contract(actor=actor_profile, creator=creator_profile)
    response = api_as(creator).get(API, {"status": "active"})
    assert [row["id"] for row in response.json()["results"]] == [active.pk]


def test_list_with_an_unknown_status_filter_is_400_naming_it(api_as, creator, unsigned):
    response = api_as(creator).get(API, {"status": "signed-ish"})
    assert response.status_code == 400
    assert "status" in response.json()


def test_list_query_count_does_not_grow_with_contracts(api_as, creator, parties):
    actor_profile, creator_profile = parties
    client = api_as(creator)
    # The first call stamps the token's last use; later calls within the minute do not.
    assert client.get(API).status_code == 200

    def measured(expected_rows: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(API)
        assert response.status_code == 200
        assert len(response.json()["results"]) == expected_rows
        return len(queries.captured_queries)

    for _ in range(2):
        accepted_contract(actor=actor_profile, creator=creator_profile)
    with_two = measured(2)
    for _ in range(8):
        accepted_contract(actor=actor_profile, creator=creator_profile)
    assert measured(10) == with_two


# --- One contract --------------------------------------------------------------------


def test_detail_shows_the_snapshot_and_its_hash_as_stored(api_as, actor, unsigned):
    response = api_as(actor).get(url(unsigned))
    assert response.status_code == 200
    body = response.json()
    stored = Contract.objects.get(pk=unsigned.pk)
    assert body["snapshot"] == stored.snapshot
    assert body["terms_hash"] == stored.terms_hash == terms_hash(body["snapshot"])
    assert [shot["number"] for shot in body["snapshot"]["shots"]] == [1, 2]
    assert body["signatures"] == []
    assert [event["kind"] for event in body["events"]] == ["created"]
    assert body["verdict"]["valid"] is False


def test_detail_shows_the_snapshot_not_live_rows(api_as, creator, unsigned):
    project = unsigned.project
    original = project.title
    project.title = "Renamed after acceptance"
    project.save()
    body = api_as(creator).get(url(unsigned)).json()
    assert body["project_title"] == original
    assert body["snapshot"]["project"]["title"] == original


@pytest.mark.parametrize(("persona", "party"), [("actor", "actor"), ("creator", "creator")])
def test_each_party_sees_their_own_party_on_the_contract(api_as, request, unsigned, persona, party):
    body = api_as(request.getfixturevalue(persona)).get(url(unsigned)).json()
    assert body["my_party"] == party


# --- Signing -------------------------------------------------------------------------


def test_actor_signs_first_and_the_creator_is_told(
    api_as, actor, creator, unsigned, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        response = sign(api_as(actor), unsigned, "  lin  xiaoyu legal ")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "awaiting_signatures"
    assert [signature["party"] for signature in body["signatures"]] == ["actor"]
    signature = Signature.objects.get(contract=unsigned)
    assert (signature.party, signature.user, signature.typed_name) == ("actor", actor, "lin xiaoyu legal")
    assert signature.terms_hash == unsigned.terms_hash
    assert signature.ip_address == "127.0.0.1"
    assert ContractEvent.objects.filter(contract=unsigned, kind=ContractEvent.Kind.SIGNED, by=actor).exists()
    assert recipients(mailoutbox) == [creator.email]


def test_second_signature_makes_the_contract_active_and_both_are_told(
    api_as, actor, creator, unsigned, django_capture_on_commit_callbacks, mailoutbox
):
    assert sign(api_as(actor), unsigned, ACTOR_LEGAL).status_code == 200
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = sign(api_as(creator), unsigned, CREATOR_LEGAL)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "active"
    assert body["my_party"] == "creator"
    assert sorted(signature["party"] for signature in body["signatures"]) == ["actor", "creator"]
    unsigned.refresh_from_db()
    assert unsigned.status == ContractStatus.ACTIVE
    assert unsigned.activated_at is not None
    assert ContractEvent.objects.filter(contract=unsigned, kind=ContractEvent.Kind.ACTIVATED).count() == 1
    assert recipients(mailoutbox) == sorted([actor.email, creator.email])


def test_signing_with_another_name_is_400_on_typed_name_and_nothing_is_saved(api_as, actor, unsigned):
    before = state_of(unsigned)
    response = sign(api_as(actor), unsigned, "Somebody Else")
    assert response.status_code == 400
    assert response.json() == {"typed_name": ["Type your legal name exactly as it is on your profile."]}
    assert state_of(unsigned) == before


def test_signing_without_consent_is_400_on_consent_and_nothing_is_saved(api_as, actor, unsigned):
    before = state_of(unsigned)
    response = sign(api_as(actor), unsigned, ACTOR_LEGAL, consent=False)
    assert response.status_code == 400
    assert list(response.json()) == ["consent"]
    assert state_of(unsigned) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"typed_name": ACTOR_LEGAL}, "consent"),
        ({"consent": True}, "typed_name"),
        ({"typed_name": "   ", "consent": True}, "typed_name"),
        ({"typed_name": "x" * 121, "consent": True}, "typed_name"),
        ({"typed_name": ACTOR_LEGAL, "consent": "perhaps"}, "consent"),
    ],
    ids=["no-consent", "no-name", "blank-name", "long-name", "bad-consent"],
)
def test_signing_with_bad_input_is_400_naming_the_field(api_as, actor, unsigned, body, field):
    before = state_of(unsigned)
    response = api_as(actor).post(url(unsigned, "sign"), body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert state_of(unsigned) == before


def test_signing_without_a_legal_name_on_file_is_400_on_typed_name(api_as, actor, creator):
    contract = accepted_contract(actor=open_actor(actor.actor_profile), creator=creator.creator_profile)
    ActorProfile.objects.filter(user=actor).update(legal_name="")
    response = sign(api_as(actor), contract, "Anyone")
    assert response.status_code == 400
    assert list(response.json()) == ["typed_name"]
    assert not Signature.objects.exists()


def test_signing_twice_is_409_and_keeps_one_signature(api_as, actor, unsigned):
    client = api_as(actor)
    assert sign(client, unsigned, ACTOR_LEGAL).status_code == 200
    before = state_of(unsigned)
    response = sign(client, unsigned, ACTOR_LEGAL)
    assert response.status_code == 409
    assert state_of(unsigned) == before


def test_signing_a_cancelled_contract_is_409_and_nothing_is_saved(api_as, actor, unsigned):
    assert contract_expire_unsigned(contract_id=unsigned.pk, now=unsigned.sign_deadline)
    before = state_of(unsigned)
    assert before[0] == ContractStatus.CANCELLED
    response = sign(api_as(actor), unsigned, ACTOR_LEGAL)
    assert response.status_code == 409
    assert "cancelled" in response.json()["detail"]
    assert state_of(unsigned) == before


def test_signing_after_the_deadline_before_the_sweep_is_409(api_as, actor, unsigned):
    client = api_as(actor)
    before = state_of(unsigned)
    with time_machine.travel(unsigned.sign_deadline + timedelta(seconds=1), tick=False):
        response = sign(client, unsigned, ACTOR_LEGAL)
    assert response.status_code == 409
    assert state_of(unsigned) == before


def test_signing_an_active_contract_is_409(api_as, actor, creator):
    active = active_contract(actor=open_actor(actor.actor_profile), creator=creator.creator_profile)
    before = state_of(active)
    response = sign(api_as(actor), active, active.actor.legal_name)
    assert response.status_code == 409
    assert state_of(active) == before


# --- Public licence check --------------------------------------------------------------


def test_licence_check_is_public_and_in_force_only_once_both_have_signed(api_client, api_as, actor, creator, unsigned):
    response = licence(api_client, unsigned.licence_code)
    assert response.status_code == 200
    body = response.json()
    assert (body["active"], body["status"], body["verdict"]["valid"]) == (False, "awaiting_signatures", False)
    assert body["verdict"]["heading"] == "Not in force: awaiting signatures"

    assert sign(api_as(actor), unsigned, ACTOR_LEGAL).status_code == 200
    assert licence(api_client, unsigned.licence_code).json()["active"] is False
    assert sign(api_as(creator), unsigned, CREATOR_LEGAL).status_code == 200

    response = licence(api_client, unsigned.licence_code)
    assert response.status_code == 200
    body = response.json()
    assert (body["active"], body["status"]) == (True, "active")
    assert body["verdict"]["heading"] == "Valid licence"
    assert response["Cache-Control"] == "no-store"


def test_licence_shows_only_the_approved_shots_and_the_public_terms(api_client, unsigned):
    body = licence(api_client, unsigned.licence_code).json()
    shots = unsigned.snapshot["shots"]
    vetoed = unsigned.request.request_shots.get(shot__number=3).shot
    assert body["approved_shot_count"] == 2
    assert body["approved_shots"] == [{"number": s["number"], "description": s["description"]} for s in shots]
    assert [shot["number"] for shot in body["approved_shots"]] == [1, 2]
    assert vetoed.description not in [shot["description"] for shot in body["approved_shots"]]
    assert body["terms_hash"] == Contract.objects.get(pk=unsigned.pk).terms_hash
    assert body["ai_training"] is False
    assert body["territory"] == "cn_mainland"
    assert body["licence_code"] == unsigned.licence_code
    assert (body["actor"], body["creator"]) == ("Lin Xiaoyu", "Lumen Pictures")
    assert body["project"] == unsigned.snapshot["project"]["title"]
    assert (body["term_start"], body["term_end"]) == (unsigned.term_start.isoformat(), unsigned.term_end.isoformat())


def test_licence_never_shows_the_fee_or_legal_names(api_client, unsigned):
    content = licence(api_client, unsigned.licence_code).content.decode()
    assert "5000" not in content
    assert "CNY" not in content
    assert ACTOR_LEGAL not in content
    assert CREATOR_LEGAL not in content
    assert unsigned.actor.user.email not in content


def test_licence_says_when_training_is_permitted(api_client, actor, creator):
    contract = accepted_contract(
        actor=open_actor(actor.actor_profile, ai_training_allowed=True),
        creator=creator.creator_profile,
        ai_training=True,
    )
    assert licence(api_client, contract.licence_code).json()["ai_training"] is True


@pytest.mark.parametrize(
    "typed",
    [
        lambda code: code.lower(),
        lambda code: code.replace("-", ""),
        lambda code: code.replace("-", "").lower(),
        lambda code: code[3:].lower(),
    ],
    ids=["lowercase", "no-dashes", "lowercase-no-dashes", "no-prefix"],
)
def test_licence_code_in_another_form_finds_the_licence(api_client, unsigned, typed):
    response = licence(api_client, typed(unsigned.licence_code))
    assert response.status_code == 200
    assert response.json()["licence_code"] == unsigned.licence_code


@pytest.mark.parametrize("header", ["Token cc_revoked-or-unknown", "Token", "Bearer something"])
def test_a_stale_token_header_does_not_stop_a_licence_check(api_client, unsigned, header):
    response = api_client.get(f"/api/v1/licenses/{unsigned.licence_code}/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 200
    assert response.json()["licence_code"] == unsigned.licence_code


def test_unknown_licence_code_is_404(api_client, unsigned):
    response = licence(api_client, unknown_code(unsigned))
    assert response.status_code == 404
    assert "No licence has this code" in response.json()["detail"]


@pytest.mark.parametrize("code", ["not-a-code", "CC-0000-1111-OOOO", "CC-ABCD-EFGH", "x" * 300])
def test_garbage_licence_code_is_404(api_client, unsigned, code):
    assert licence(api_client, code).status_code == 404


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_licence_check_is_read_only(api_client, unsigned, method):
    response = getattr(api_client, method)(f"/api/v1/licenses/{unsigned.licence_code}/")
    assert response.status_code == 405
    assert Contract.objects.get(pk=unsigned.pk).status == ContractStatus.AWAITING_SIGNATURES


def test_licence_verdict_follows_the_readers_language(api_client, unsigned):
    response = licence(api_client, unsigned.licence_code, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert response.json()["verdict"]["heading"] == "未生效：等待签署"


def same_minute():
    """Freeze the clock: the limit counts in fixed one-minute windows."""
    return time_machine.travel(timezone.now(), tick=False)


def test_too_many_licence_checks_from_one_address_get_429_with_retry_after(api_client, settings, unsigned):
    settings.LICENCE_CHECKS_PER_MINUTE = 2
    with same_minute():
        assert licence(api_client, unsigned.licence_code).status_code == 200
        # Unknown codes count too: guessing costs the same as checking.
        assert licence(api_client, unknown_code(unsigned)).status_code == 404
        response = licence(api_client, unsigned.licence_code)
        assert response.status_code == 429
        assert 1 <= int(response["Retry-After"]) <= 60
        # Another address still gets its answer.
        assert licence(api_client, unsigned.licence_code, REMOTE_ADDR="203.0.113.9").status_code == 200


def test_licence_checks_share_their_limit_with_the_verify_page(api_client, client, settings, unsigned):
    settings.LICENCE_CHECKS_PER_MINUTE = 2
    with same_minute():
        assert client.get(f"/verify/{unsigned.licence_code}/").status_code == 200
        assert licence(api_client, unsigned.licence_code).status_code == 200
        response = licence(api_client, unsigned.licence_code)
        assert response.status_code == 429
        assert "Retry-After" in response
        assert client.get(f"/verify/{unsigned.licence_code}/").status_code == 429
