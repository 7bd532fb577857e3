"""``/api/v1/requests/``: the list, sending, one request, every move and the
message thread, for each persona, with the API's status codes
(DESIGN.md "Interface")."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from creators.models import Project
from marketplace.models import AuditEvent, Notification
from usage_requests.models import (
    Contract,
    Message,
    RequestEvent,
    RequestShot,
    RequestStatus,
    RequestTerms,
    ShotDecision,
    UsageRequest,
)
from usage_requests.services import (
    message_send,
    usage_request_accept,
    usage_request_counter,
    usage_request_decline,
    usage_request_withdraw,
    usage_requests_expire_due,
)
from usage_requests.tests.factories import (
    GOOD_TERMS,
    decide_all,
    open_actor,
    project_with_shots,
    send_request,
    term_dates,
)

pytestmark = pytest.mark.django_db

API = "/api/v1/requests/"


# --- Builders ------------------------------------------------------------------------


@pytest.fixture
def listed(actor):
    return open_actor(actor.actor_profile)


@pytest.fixture
def pending(listed, creator) -> UsageRequest:
    """Three shots, terms version 1, awaiting the actor."""
    return send_request(actor=listed, creator=creator.creator_profile)


@pytest.fixture
def countered(pending) -> UsageRequest:
    counter(pending)
    pending.refresh_from_db()
    return pending


def counter(request: UsageRequest) -> None:
    usage_request_counter(
        request=request,
        user=request.actor.user,
        terms_version=request.terms_version,
        **{**GOOD_TERMS, **term_dates(), "fee": Decimal("6000.00")},
        note="A little more, please.",
    )


def expire(request: UsageRequest) -> None:
    with time_machine.travel(request.expires_at + timedelta(minutes=1), tick=False):
        assert usage_requests_expire_due() == 1


def request_in(status: str, *, actor, creator) -> UsageRequest:
    """A request brought to ``status`` through the real services."""
    request = send_request(actor=actor, creator=creator)
    if status == RequestStatus.COUNTERED:
        counter(request)
    elif status == RequestStatus.ACCEPTED:
        decide_all(request)
        usage_request_accept(request=request, user=actor.user, terms_version=1)
    elif status == RequestStatus.DECLINED:
        usage_request_decline(request=request, user=actor.user, reason="Not for me")
    elif status == RequestStatus.WITHDRAWN:
        usage_request_withdraw(request=request, user=creator.user, reason="Recast")
    elif status == RequestStatus.EXPIRED:
        expire(request)
    request.refresh_from_db()
    assert request.status == status
    return request


def state_of(request: UsageRequest) -> tuple:
    """Everything a move could change, to compare before and after a refusal."""
    request.refresh_from_db()
    return (
        request.status,
        request.terms_version,
        request.close_reason,
        RequestTerms.objects.filter(request=request).count(),
        RequestEvent.objects.filter(request=request).count(),
        list(request.request_shots.order_by("shot__number").values_list("decision", "note")),
        Contract.objects.filter(request=request).count(),
        Message.objects.filter(request=request).count(),
        Notification.objects.count(),
    )


def compose(project: Project, shot_rows, /, actor_slug: str = "lin-xiaoyu", **changes) -> dict:
    dates = term_dates()
    data = {
        "actor": actor_slug,
        "project": project.pk,
        "shots": [shot.pk for shot in shot_rows],
        "fee": "5000.00",
        "currency": "CNY",
        "term_start": dates["term_start"].isoformat(),
        "term_end": dates["term_end"].isoformat(),
        "territory": "cn_mainland",
        "ai_training": False,
        "message": "We would love you for the night market scenes.",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def counter_body(request: UsageRequest, **changes) -> dict:
    dates = term_dates()
    body = {
        "terms_version": request.terms_version,
        "fee": "6500.00",
        "currency": "CNY",
        "term_start": dates["term_start"].isoformat(),
        "term_end": dates["term_end"].isoformat(),
        "territory": "cn_mainland",
        "ai_training": False,
        "note": "My usual rate.",
    }
    body.update(changes)
    return {key: value for key, value in body.items() if value is not None}


def decisions(approved=(1, 2), vetoed=(3,)) -> list[dict]:
    return [{"shot_number": n, "decision": "approved", "note": ""} for n in approved] + [
        {"shot_number": n, "decision": "vetoed", "note": "Not this one"} for n in vetoed
    ]


def accept_body(request: UsageRequest, **changes) -> dict:
    return {"terms_version": request.terms_version, "decisions": decisions(), **changes}


def url(request: UsageRequest, action: str = "") -> str:
    return f"{API}{request.pk}/{action}"


def status_of(request: UsageRequest) -> str:
    return UsageRequest.objects.values_list("status", flat=True).get(pk=request.pk)


def recipients(mailoutbox) -> list[str]:
    return [address for message in mailoutbox for address in message.to]


# Every endpoint, with a body that would be valid for the right caller.
ENDPOINTS = [
    ("get", "", None),
    ("get", "{pk}/", None),
    ("post", "{pk}/accept", {"terms_version": 1, "decisions": decisions()}),
    ("post", "{pk}/decline", {"reason": "no"}),
    ("post", "{pk}/counter", "counter"),
    ("post", "{pk}/accept-counter", {"terms_version": 1}),
    ("post", "{pk}/withdraw", {"reason": "no"}),
    ("get", "{pk}/messages/", None),
    ("post", "{pk}/messages/", {"body": "Hello"}),
]
OBJECT_ENDPOINTS = [endpoint for endpoint in ENDPOINTS if "{pk}" in endpoint[1]]


def call(client, endpoint, request: UsageRequest):
    method, path, body = endpoint
    if body == "counter":
        body = counter_body(request)
    return getattr(client, method)(API + path.format(pk=request.pk), body, format="json")


# --- Who may call what -----------------------------------------------------------------


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: f"{e[0]} {e[1]}")
def test_anonymous_gets_401_with_token_challenge_and_nothing_changes(api_client, pending, endpoint):
    before = state_of(pending)
    response = call(api_client, endpoint, pending)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert state_of(pending) == before


def test_anonymous_cannot_send_a_request(api_client, listed, creator):
    project, shots = project_with_shots(creator.creator_profile)
    response = api_client.post(API, compose(project, shots), format="json")
    assert response.status_code == 401
    assert not UsageRequest.objects.exists()


@pytest.mark.parametrize("persona", ["newcomer", "moderator"])
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: f"{e[0]} {e[1]}")
def test_user_without_actor_or_creator_role_gets_403_and_nothing_changes(api_as, request, pending, persona, endpoint):
    before = state_of(pending)
    response = call(api_as(request.getfixturevalue(persona)), endpoint, pending)
    assert response.status_code == 403
    assert "role" in response.json()["detail"]
    assert state_of(pending) == before


@pytest.mark.parametrize("persona", ["other_actor", "other_creator"])
@pytest.mark.parametrize("endpoint", OBJECT_ENDPOINTS, ids=lambda e: f"{e[0]} {e[1]}")
def test_another_users_request_is_an_audited_404_and_nothing_changes(api_as, request, pending, persona, endpoint):
    outsider = request.getfixturevalue(persona)
    before = state_of(pending)
    response = call(api_as(outsider), endpoint, pending)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert AuditEvent.objects.filter(action=AuditEvent.Action.AUTHZ_DENIED, actor=outsider).count() == 1
    assert state_of(pending) == before


@pytest.mark.parametrize("endpoint", OBJECT_ENDPOINTS, ids=lambda e: f"{e[0]} {e[1]}")
def test_unknown_request_id_is_404_without_an_audit_row(api_as, actor, listed, endpoint):
    response = call(api_as(actor), endpoint, UsageRequest(pk=999999))
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.AUTHZ_DENIED).exists()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("put", ""),
        ("delete", "{pk}/"),
        ("post", "{pk}/"),
        ("get", "{pk}/accept"),
        ("get", "{pk}/decline"),
        ("get", "{pk}/counter"),
        ("get", "{pk}/accept-counter"),
        ("get", "{pk}/withdraw"),
        ("delete", "{pk}/messages/"),
    ],
)
def test_wrong_method_is_405_and_nothing_changes(api_as, actor, pending, method, path):
    before = state_of(pending)
    response = getattr(api_as(actor), method)(API + path.format(pk=pending.pk))
    assert response.status_code == 405
    assert state_of(pending) == before


def test_out_of_range_request_id_is_404_not_500(api_as, actor, listed):
    assert api_as(actor).get(f"{API}{2**70}/").status_code == 404


# --- The list ------------------------------------------------------------------------


def test_both_parties_list_the_request_with_their_own_party_and_the_latest_terms(api_as, actor, creator, countered):
    for user, party in [(actor, "actor"), (creator, "creator")]:
        response = api_as(user).get(API)
        assert response.status_code == 200
        (row,) = response.json()["results"]
        assert row["id"] == countered.pk
        assert row["status"] == "countered"
        assert row["awaiting"] == "creator"
        assert row["my_party"] == party
        assert row["shot_count"] == 3
        assert row["terms_version"] == 2
        assert row["terms"]["version"] == 2
        assert row["terms"]["fee"] == "6000.00"
        assert row["actor"]["slug"] == "lin-xiaoyu"
        assert row["contract"] is None


def test_list_hides_other_peoples_requests(api_as, other_creator, pending):
    response = api_as(other_creator).get(API)
    assert response.status_code == 200
    assert response.json()["results"] == []


def test_list_shows_the_contract_of_an_accepted_request(api_as, creator, listed):
    accepted = request_in(RequestStatus.ACCEPTED, actor=listed, creator=creator.creator_profile)
    (row,) = api_as(creator).get(API).json()["results"]
    assert row["contract"] == accepted.contract.pk


def test_list_filters_by_status(api_as, creator, listed):
    open_one = send_request(actor=listed, creator=creator.creator_profile)
    request_in(RequestStatus.WITHDRAWN, actor=listed, creator=creator.creator_profile)
    response = api_as(creator).get(API, {"status": "pending"})
    assert [row["id"] for row in response.json()["results"]] == [open_one.pk]


def test_list_with_an_unknown_status_filter_is_400_naming_it(api_as, creator, pending):
    response = api_as(creator).get(API, {"status": "approved-ish"})
    assert response.status_code == 400
    assert "status" in response.json()


def test_list_counts_unread_messages_from_the_other_side(api_as, actor, creator, pending):
    message_send(request=pending, user=creator, body="First")
    message_send(request=pending, user=creator, body="Second")
    (row,) = api_as(actor).get(API).json()["results"]
    assert row["unread"] == 2
    (row,) = api_as(creator).get(API).json()["results"]
    assert row["unread"] == 0


def test_list_query_count_does_not_grow_with_requests(api_as, creator, listed):
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
        request = send_request(actor=listed, creator=creator.creator_profile)
        message_send(request=request, user=listed.user, body="Hi")
    with_two = measured(2)
    for _ in range(8):
        request = send_request(actor=listed, creator=creator.creator_profile)
        counter(request)
    assert measured(10) == with_two


# --- Sending -------------------------------------------------------------------------


def test_creator_sends_a_request_and_the_actor_is_emailed(
    api_as, creator, actor, listed, django_capture_on_commit_callbacks, mailoutbox
):
    project, shots = project_with_shots(creator.creator_profile, 3)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(creator).post(API, compose(project, shots[:2]), format="json")

    assert response.status_code == 201
    sent = UsageRequest.objects.get()
    body = response.json()
    assert body["id"] == sent.pk
    assert body["status"] == "pending"
    assert body["my_party"] == "creator"
    assert [shot["number"] for shot in body["shots"]] == [1, 2]
    assert sent.actor == listed
    assert sent.status == RequestStatus.PENDING
    assert sent.message == "We would love you for the night market scenes."
    assert set(RequestShot.objects.filter(request=sent).values_list("shot__number", flat=True)) == {1, 2}
    terms = RequestTerms.objects.get(request=sent)
    assert (terms.version, terms.fee, terms.territory, terms.ai_training) == (
        1,
        Decimal("5000.00"),
        "cn_mainland",
        False,
    )
    assert RequestEvent.objects.filter(request=sent, kind=RequestEvent.Kind.SENT).exists()
    assert recipients(mailoutbox) == [actor.email]


def test_actor_cannot_send_a_request(api_as, actor, listed, creator):
    project, shots = project_with_shots(creator.creator_profile)
    response = api_as(actor).post(API, compose(project, shots), format="json")
    assert response.status_code == 403
    assert "creator" in response.json()["detail"]
    assert not UsageRequest.objects.exists()


def test_sending_to_an_unknown_actor_slug_is_400_on_actor(api_as, creator, listed):
    project, shots = project_with_shots(creator.creator_profile)
    response = api_as(creator).post(API, compose(project, shots, actor_slug="nobody-here"), format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["actor"]
    assert not UsageRequest.objects.exists()


def test_sending_to_an_actor_off_the_roster_is_400_on_actor(api_as, creator, other_actor):
    project, shots = project_with_shots(creator.creator_profile)
    response = api_as(creator).post(API, compose(project, shots, actor_slug="chen-siyuan"), format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["actor"]
    assert not UsageRequest.objects.exists()


def test_sending_for_another_creators_project_is_400_on_project(api_as, creator, other_creator, listed):
    project, shots = project_with_shots(other_creator.creator_profile)
    response = api_as(creator).post(API, compose(project, shots), format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["project"]
    assert not UsageRequest.objects.exists()


def test_sending_shots_of_another_project_is_400_on_shots(api_as, creator, listed):
    project, shots = project_with_shots(creator.creator_profile)
    _elsewhere, foreign_shots = project_with_shots(creator.creator_profile)
    response = api_as(creator).post(API, compose(project, [shots[0], foreign_shots[1]]), format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["shots"]
    assert not UsageRequest.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"fee": None}, "fee"),
        ({"fee": "-1"}, "fee"),
        ({"currency": "XXX"}, "currency"),
        ({"territory": "atlantis"}, "territory"),
        ({"term_start": "next tuesday"}, "term_start"),
        ({"shots": []}, "shots"),
        ({"project": "abc"}, "project"),
        ({"actor": None}, "actor"),
        ({"message": "x" * 2001}, "message"),
    ],
)
def test_sending_bad_input_is_400_naming_the_field_and_sends_nothing(api_as, creator, listed, changes, field):
    project, shots = project_with_shots(creator.creator_profile)
    response = api_as(creator).post(API, compose(project, shots, **changes), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not UsageRequest.objects.exists()
    assert not RequestTerms.objects.exists()


def test_sending_a_term_that_ends_before_it_starts_is_400_on_term_end(api_as, creator, listed):
    project, shots = project_with_shots(creator.creator_profile)
    dates = term_dates()
    data = compose(
        project,
        shots,
        term_start=dates["term_end"].isoformat(),
        term_end=dates["term_start"].isoformat(),
    )
    response = api_as(creator).post(API, data, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["term_end"]
    assert not UsageRequest.objects.exists()


@pytest.mark.parametrize(
    ("red_lines", "changes", "reason"),
    [
        ({}, {"territory": "worldwide"}, "does not accept worldwide distribution"),
        ({}, {"territory": "europe"}, "does not accept distribution in Europe"),
        ({"ai_training_allowed": False}, {"ai_training": True}, "never allows AI training"),
    ],
    ids=["worldwide", "territory", "ai_training"],
)
def test_terms_crossing_the_actors_red_lines_are_400_with_every_reason_and_nothing_sent(
    api_as, actor, creator, red_lines, changes, reason
):
    open_actor(actor.actor_profile, **red_lines)
    project, shots = project_with_shots(creator.creator_profile)
    response = api_as(creator).post(API, compose(project, shots, **changes), format="json")
    assert response.status_code == 400
    body = response.json()
    assert list(body) == ["red_lines"]
    assert any(reason in line for line in body["red_lines"])
    assert not UsageRequest.objects.exists()
    assert not Notification.objects.exists()


def test_every_red_line_crossed_is_listed_at_once(api_as, actor, creator):
    open_actor(actor.actor_profile, ai_training_allowed=False)
    project, shots = project_with_shots(creator.creator_profile)
    response = api_as(creator).post(
        API, compose(project, shots, territory="worldwide", ai_training=True), format="json"
    )
    assert response.status_code == 400
    assert len(response.json()["red_lines"]) == 2


def test_sending_a_second_open_request_for_the_same_actor_and_project_is_409(api_as, creator, pending):
    shots = list(pending.project.shots.all())
    response = api_as(creator).post(API, compose(pending.project, shots), format="json")
    assert response.status_code == 409
    assert response.json()["existing_request"] == pending.pk
    assert UsageRequest.objects.count() == 1


def test_a_new_request_may_follow_a_closed_one(api_as, creator, listed):
    closed = request_in(RequestStatus.DECLINED, actor=listed, creator=creator.creator_profile)
    shots = list(closed.project.shots.all())
    response = api_as(creator).post(API, compose(closed.project, shots), format="json")
    assert response.status_code == 201
    assert UsageRequest.objects.filter(status=RequestStatus.PENDING).count() == 1


# --- One request ---------------------------------------------------------------------


def test_request_detail_shows_shots_terms_history_and_timeline(api_as, actor, countered):
    response = api_as(actor).get(url(countered))
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == countered.pk
    assert body["my_party"] == "actor"
    assert [shot["number"] for shot in body["shots"]] == [1, 2, 3]
    assert {shot["decision"] for shot in body["shots"]} == {"undecided"}
    assert [(terms["version"], terms["proposed_by"]) for terms in body["terms_history"]] == [
        (1, "creator"),
        (2, "actor"),
    ]
    assert [event["kind"] for event in body["events"]] == ["sent", "countered"]


def test_request_detail_counts_unread_messages_from_the_other_side(api_as, actor, creator, pending):
    message_send(request=pending, user=creator, body="First")
    message_send(request=pending, user=creator, body="Second")
    assert api_as(actor).get(url(pending)).json()["unread"] == 2
    assert api_as(creator).get(url(pending)).json()["unread"] == 0


def test_creator_sees_the_same_request_as_the_creator(api_as, creator, pending):
    body = api_as(creator).get(url(pending)).json()
    assert body["my_party"] == "creator"
    assert body["awaiting"] == "actor"


# --- Accept --------------------------------------------------------------------------


def test_actor_decides_and_accepts_in_one_call_and_the_creator_is_emailed(
    api_as, actor, creator, pending, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(actor).post(url(pending, "accept"), accept_body(pending), format="json")

    assert response.status_code == 200
    body = response.json()
    contract = Contract.objects.get(request=pending)
    assert body["status"] == "accepted"
    assert body["contract"] == contract.pk
    assert status_of(pending) == RequestStatus.ACCEPTED
    assert [shot["number"] for shot in contract.snapshot["shots"]] == [1, 2]
    assert dict(pending.request_shots.values_list("shot__number", "decision")) == {
        1: ShotDecision.APPROVED,
        2: ShotDecision.APPROVED,
        3: ShotDecision.VETOED,
    }
    assert RequestEvent.objects.filter(request=pending, kind=RequestEvent.Kind.ACCEPTED).count() == 1
    assert creator.email in recipients(mailoutbox)
    assert any("accepted your request" in message.subject for message in mailoutbox)


def test_actor_accepts_shots_decided_earlier_without_sending_decisions(api_as, actor, pending):
    decide_all(pending)
    response = api_as(actor).post(url(pending, "accept"), {"terms_version": 1}, format="json")
    assert response.status_code == 200
    assert status_of(pending) == RequestStatus.ACCEPTED


def test_creator_cannot_accept_and_nothing_changes(api_as, creator, pending):
    before = state_of(pending)
    response = api_as(creator).post(url(pending, "accept"), accept_body(pending), format="json")
    assert response.status_code == 403
    assert response.json() == {"detail": "Only the Actor of this request can do that."}
    assert state_of(pending) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"decisions": decisions()}, "terms_version"),
        ({"terms_version": "one", "decisions": decisions()}, "terms_version"),
        ({"terms_version": 1, "decisions": [{"shot_number": 1, "decision": "maybe"}]}, "decisions"),
        ({"terms_version": 1, "decisions": decisions(approved=(1, 2, 3, 4), vetoed=())}, "decisions"),
        ({"terms_version": 1, "decisions": "all of them"}, "decisions"),
    ],
    ids=["no-version", "bad-version", "bad-decision", "unknown-shot", "not-a-list"],
)
def test_accept_with_bad_input_is_400_naming_the_field_and_keeps_nothing(api_as, actor, pending, body, field):
    before = state_of(pending)
    response = api_as(actor).post(url(pending, "accept"), body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert state_of(pending) == before


def test_accept_without_a_decision_on_every_shot_is_400_and_keeps_no_decision(api_as, actor, pending):
    before = state_of(pending)
    body = {"terms_version": 1, "decisions": decisions(approved=(1,), vetoed=(2,))}
    response = api_as(actor).post(url(pending, "accept"), body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["decisions"]
    assert state_of(pending) == before


def test_accept_with_every_shot_vetoed_is_400_and_keeps_no_decision(api_as, actor, pending):
    before = state_of(pending)
    body = {"terms_version": 1, "decisions": decisions(approved=(), vetoed=(1, 2, 3))}
    response = api_as(actor).post(url(pending, "accept"), body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["decisions"]
    assert state_of(pending) == before


@pytest.mark.parametrize("status", ["countered", "accepted", "declined", "withdrawn", "expired"])
def test_accept_in_a_status_that_forbids_it_is_409_and_keeps_nothing(api_as, actor, creator, listed, status):
    request = request_in(status, actor=listed, creator=creator.creator_profile)
    before = state_of(request)
    response = api_as(actor).post(url(request, "accept"), accept_body(request), format="json")
    assert response.status_code == 409
    assert response.json()["detail"]
    assert state_of(request) == before


def test_accept_of_stale_terms_is_409_and_keeps_no_decision(api_as, actor, pending):
    before = state_of(pending)
    response = api_as(actor).post(url(pending, "accept"), accept_body(pending, terms_version=2), format="json")
    assert response.status_code == 409
    assert "version 1" in response.json()["detail"]
    assert state_of(pending) == before


def test_accept_after_the_deadline_before_the_sweep_is_409_and_keeps_nothing(api_as, actor, pending):
    client = api_as(actor)
    before = state_of(pending)
    with time_machine.travel(pending.expires_at + timedelta(seconds=1), tick=False):
        response = client.post(url(pending, "accept"), accept_body(pending), format="json")
    assert response.status_code == 409
    assert "expired" in response.json()["detail"]
    assert state_of(pending) == before


# --- Decline -------------------------------------------------------------------------


def test_actor_declines_a_pending_request_with_a_reason_and_the_creator_is_emailed(
    api_as, actor, creator, pending, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(actor).post(url(pending, "decline"), {"reason": "  Busy that month. "}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "declined"
    pending.refresh_from_db()
    assert pending.status == RequestStatus.DECLINED
    assert pending.close_reason == "Busy that month."
    assert pending.closed_at is not None
    assert RequestEvent.objects.filter(request=pending, kind=RequestEvent.Kind.DECLINED, by=actor).exists()
    assert recipients(mailoutbox) == [creator.email]


def test_creator_declines_a_counter_offer_without_a_reason(api_as, creator, countered):
    response = api_as(creator).post(url(countered, "decline"), {}, format="json")
    assert response.status_code == 200
    assert status_of(countered) == RequestStatus.DECLINED
    assert RequestEvent.objects.filter(request=countered, kind=RequestEvent.Kind.DECLINED, by=creator).exists()


def test_decline_with_a_too_long_reason_is_400_on_reason_and_nothing_changes(api_as, actor, pending):
    before = state_of(pending)
    response = api_as(actor).post(url(pending, "decline"), {"reason": "x" * 1001}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["reason"]
    assert state_of(pending) == before


@pytest.mark.parametrize(
    ("status", "persona"),
    [
        ("pending", "creator"),
        ("countered", "actor"),
        ("accepted", "actor"),
        ("declined", "actor"),
        ("withdrawn", "actor"),
        ("expired", "actor"),
        ("expired", "creator"),
    ],
)
def test_decline_when_it_is_not_the_callers_move_is_409_and_nothing_changes(
    api_as, request, creator, listed, status, persona
):
    usage_request = request_in(status, actor=listed, creator=creator.creator_profile)
    before = state_of(usage_request)
    response = api_as(request.getfixturevalue(persona)).post(url(usage_request, "decline"), {}, format="json")
    assert response.status_code == 409
    assert state_of(usage_request) == before


# --- Counter -------------------------------------------------------------------------


def test_actor_counters_with_new_terms_and_the_creator_is_emailed(
    api_as, actor, creator, pending, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(actor).post(url(pending, "counter"), counter_body(pending), format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "countered"
    assert body["awaiting"] == "creator"
    assert body["terms"]["version"] == 2
    pending.refresh_from_db()
    assert (pending.status, pending.terms_version) == (RequestStatus.COUNTERED, 2)
    terms = RequestTerms.objects.get(request=pending, version=2)
    assert (terms.proposed_by, terms.fee, terms.note) == ("actor", Decimal("6500.00"), "My usual rate.")
    assert RequestEvent.objects.filter(request=pending, kind=RequestEvent.Kind.COUNTERED).exists()
    assert recipients(mailoutbox) == [creator.email]


def test_creator_cannot_counter_and_nothing_changes(api_as, creator, pending):
    before = state_of(pending)
    response = api_as(creator).post(url(pending, "counter"), counter_body(pending), format="json")
    assert response.status_code == 403
    assert state_of(pending) == before


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"fee": None}, "fee"),
        ({"fee": "lots"}, "fee"),
        ({"currency": "XXX"}, "currency"),
        ({"territory": "moon"}, "territory"),
        ({"terms_version": None}, "terms_version"),
        ({"term_end": "2000-01-01"}, "term_end"),
        ({"note": "x" * 2001}, "note"),
    ],
)
def test_counter_with_bad_input_is_400_naming_the_field_and_adds_no_terms(api_as, actor, pending, changes, field):
    before = state_of(pending)
    response = api_as(actor).post(url(pending, "counter"), counter_body(pending, **changes), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert state_of(pending) == before


@pytest.mark.parametrize("status", ["countered", "accepted", "declined", "withdrawn", "expired"])
def test_counter_in_a_status_that_forbids_it_is_409_and_adds_no_terms(api_as, actor, creator, listed, status):
    request = request_in(status, actor=listed, creator=creator.creator_profile)
    before = state_of(request)
    response = api_as(actor).post(url(request, "counter"), counter_body(request), format="json")
    assert response.status_code == 409
    assert state_of(request) == before


def test_counter_of_stale_terms_is_409_and_adds_no_terms(api_as, actor, pending):
    before = state_of(pending)
    response = api_as(actor).post(url(pending, "counter"), counter_body(pending, terms_version=3), format="json")
    assert response.status_code == 409
    assert state_of(pending) == before


def test_counter_after_the_deadline_is_409_and_adds_no_terms(api_as, actor, pending):
    client = api_as(actor)
    before = state_of(pending)
    with time_machine.travel(pending.expires_at + timedelta(seconds=1), tick=False):
        response = client.post(url(pending, "counter"), counter_body(pending), format="json")
    assert response.status_code == 409
    assert state_of(pending) == before


# --- Accept the counter-offer ----------------------------------------------------------


def test_creator_accepts_the_counter_and_the_request_returns_to_the_actor(
    api_as, actor, creator, countered, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(creator).post(url(countered, "accept-counter"), {"terms_version": 2}, format="json")
    assert response.status_code == 200
    assert response.json()["awaiting"] == "actor"
    countered.refresh_from_db()
    assert (countered.status, countered.terms_version) == (RequestStatus.PENDING, 2)
    assert RequestEvent.objects.filter(request=countered, kind=RequestEvent.Kind.COUNTER_ACCEPTED).exists()
    assert recipients(mailoutbox) == [actor.email]


def test_actor_then_accepts_the_countered_terms(api_as, actor, creator, countered):
    api_as(creator).post(url(countered, "accept-counter"), {"terms_version": 2}, format="json")
    response = api_as(actor).post(url(countered, "accept"), accept_body(countered), format="json")
    assert response.status_code == 200
    contract = Contract.objects.get(request=countered)
    assert contract.snapshot["terms"]["fee"] == "6000.00"


def test_actor_cannot_accept_their_own_counter_and_nothing_changes(api_as, actor, countered):
    before = state_of(countered)
    response = api_as(actor).post(url(countered, "accept-counter"), {"terms_version": 2}, format="json")
    assert response.status_code == 403
    assert state_of(countered) == before


@pytest.mark.parametrize("body", [{}, {"terms_version": "two"}, {"terms_version": 0}])
def test_accept_counter_with_bad_input_is_400_on_terms_version(api_as, creator, countered, body):
    before = state_of(countered)
    response = api_as(creator).post(url(countered, "accept-counter"), body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["terms_version"]
    assert state_of(countered) == before


@pytest.mark.parametrize("status", ["pending", "accepted", "declined", "withdrawn", "expired"])
def test_accept_counter_in_a_status_that_forbids_it_is_409(api_as, creator, listed, status):
    request = request_in(status, actor=listed, creator=creator.creator_profile)
    before = state_of(request)
    response = api_as(creator).post(
        url(request, "accept-counter"), {"terms_version": request.terms_version}, format="json"
    )
    assert response.status_code == 409
    assert state_of(request) == before


def test_accept_counter_of_stale_terms_is_409(api_as, creator, countered):
    before = state_of(countered)
    response = api_as(creator).post(url(countered, "accept-counter"), {"terms_version": 1}, format="json")
    assert response.status_code == 409
    assert state_of(countered) == before


def test_accept_counter_after_the_deadline_is_409(api_as, creator, countered):
    client = api_as(creator)
    before = state_of(countered)
    with time_machine.travel(countered.expires_at + timedelta(seconds=1), tick=False):
        response = client.post(url(countered, "accept-counter"), {"terms_version": 2}, format="json")
    assert response.status_code == 409
    assert state_of(countered) == before


# --- Withdraw ------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["pending", "countered"])
def test_creator_withdraws_an_open_request_and_the_actor_is_emailed(
    api_as, actor, creator, listed, status, django_capture_on_commit_callbacks, mailoutbox
):
    request = request_in(status, actor=listed, creator=creator.creator_profile)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(creator).post(url(request, "withdraw"), {"reason": "Recast"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    request.refresh_from_db()
    assert (request.status, request.close_reason) == (RequestStatus.WITHDRAWN, "Recast")
    assert RequestEvent.objects.filter(request=request, kind=RequestEvent.Kind.WITHDRAWN).exists()
    assert recipients(mailoutbox) == [actor.email]
    assert "withdrew" in mailoutbox[0].subject


def test_actor_cannot_withdraw_and_nothing_changes(api_as, actor, pending):
    before = state_of(pending)
    response = api_as(actor).post(url(pending, "withdraw"), {}, format="json")
    assert response.status_code == 403
    assert state_of(pending) == before


def test_withdraw_with_a_non_text_reason_is_400_on_reason(api_as, creator, pending):
    before = state_of(pending)
    response = api_as(creator).post(url(pending, "withdraw"), {"reason": ["a", "b"]}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["reason"]
    assert state_of(pending) == before


@pytest.mark.parametrize("status", ["accepted", "declined", "withdrawn", "expired"])
def test_withdraw_of_a_closed_request_is_409_and_nothing_changes(api_as, creator, listed, status):
    request = request_in(status, actor=listed, creator=creator.creator_profile)
    before = state_of(request)
    response = api_as(creator).post(url(request, "withdraw"), {"reason": "too late"}, format="json")
    assert response.status_code == 409
    assert state_of(request) == before


# --- Messages ------------------------------------------------------------------------


def test_thread_lists_messages_oldest_first_and_marks_them_read(api_as, actor, creator, pending):
    message_send(request=pending, user=creator, body="First")
    message_send(request=pending, user=actor, body="Second")
    message_send(request=pending, user=creator, body="Third")
    client = api_as(actor)
    (row,) = client.get(API).json()["results"]
    assert row["unread"] == 1

    response = client.get(url(pending, "messages/"))

    assert response.status_code == 200
    results = response.json()["results"]
    assert [message["body"] for message in results] == ["First", "Second", "Third"]
    assert [message["mine"] for message in results] == [False, True, False]
    assert [message["sender_party"] for message in results] == ["creator", "actor", "creator"]
    pending.refresh_from_db()
    assert pending.actor_read_at is not None
    (row,) = client.get(API).json()["results"]
    assert row["unread"] == 0


def test_a_closed_thread_can_still_be_read(api_as, creator, pending):
    message_send(request=pending, user=creator, body="Before we part")
    usage_request_withdraw(request=pending, user=creator, reason="Recast")
    response = api_as(creator).get(url(pending, "messages/"))
    assert response.status_code == 200
    assert [message["body"] for message in response.json()["results"]] == ["Before we part"]


@pytest.mark.parametrize("status", ["pending", "countered", "accepted"])
def test_party_writes_in_the_thread_of_a_live_request(api_as, actor, creator, listed, status):
    request = request_in(status, actor=listed, creator=creator.creator_profile)
    response = api_as(actor).post(url(request, "messages/"), {"body": "  Can we talk about shot 3?\n"}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert (body["body"], body["sender_party"], body["mine"]) == ("Can we talk about shot 3?", "actor", True)
    message = Message.objects.get(request=request)
    assert (message.sender, message.body) == (actor, "Can we talk about shot 3?")


@pytest.mark.parametrize("status", ["withdrawn", "declined", "expired"])
def test_writing_in_a_closed_thread_is_409_and_nothing_is_saved(api_as, creator, listed, status):
    request = request_in(status, actor=listed, creator=creator.creator_profile)
    response = api_as(creator).post(url(request, "messages/"), {"body": "Still there?"}, format="json")
    assert response.status_code == 409
    assert "read-only" in response.json()["detail"]
    assert not Message.objects.exists()


@pytest.mark.parametrize("body", [{}, {"body": ""}, {"body": "   "}, {"body": "\n\t \n"}, {"body": "x" * 2001}])
def test_empty_or_too_long_message_is_400_on_body_and_nothing_is_saved(api_as, actor, pending, body):
    before = state_of(pending)
    response = api_as(actor).post(url(pending, "messages/"), body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["body"]
    assert state_of(pending) == before
    assert pending.actor_read_at is None
