"""Hostile input the API used to answer with a 500 or let slip through
(issue 13): forged and unreadable cursors on every list, JSON nested
thousands of levels deep on the JSON endpoints, filters sent empty, and
values the schema refuses but DRF's fields took. Each is a 400 naming what
was wrong, and nothing changes."""

import io
import json
from base64 import b64encode
from dataclasses import dataclass

import pytest
from rest_framework.exceptions import ParseError

from creators.models import Project, Shot
from marketplace.api.pagination import MAX_CURSOR_LENGTH
from marketplace.api.parsers import MAX_JSON_DEPTH, JSONParser
from usage_requests.models import Contract, Message, UsageRequest
from usage_requests.services import message_send
from usage_requests.tests.factories import accepted_contract, open_actor, send_request

pytestmark = pytest.mark.django_db

BAD_CURSOR = {"cursor": ["This cursor is not valid here. Start again from the first page."]}
EMPTY_FILTER = ["This parameter is empty: give one of its values, or leave it out for any."]


def cursor_of(text: str) -> str:
    return b64encode(text.encode()).decode()


@dataclass
class World:
    pending: UsageRequest
    contract: Contract
    project: Project


@pytest.fixture
def world(actor, creator) -> World:
    """Between ``creator`` and ``actor``: a pending request with three shots
    and two messages, and two contracts; so every list has a second page."""
    listed = open_actor(actor.actor_profile)
    pending = send_request(actor=listed, creator=creator.creator_profile)
    message_send(request=pending, user=creator, body="Are the dates all right?")
    message_send(request=pending, user=actor, body="They are.")
    contract = accepted_contract(actor=listed, creator=creator.creator_profile)
    accepted_contract(actor=listed, creator=creator.creator_profile)
    pending.refresh_from_db()
    return World(pending=pending, contract=contract, project=pending.project)


def list_url(name: str, world: World) -> str:
    return {
        "requests": "/api/v1/requests/",
        "contracts": "/api/v1/contracts/",
        "projects": "/api/v1/projects/",
        "messages": f"/api/v1/requests/{world.pending.pk}/messages/",
        "shots": f"/api/v1/projects/{world.project.pk}/shots/",
    }[name]


LISTS = ["requests", "contracts", "projects", "messages", "shots"]
HOSTILE_CURSORS = {
    # What DRF reads as "position x": the position went into the query (a 500).
    "position-not-a-number": "cD14",
    "position-empty": cursor_of("p="),
    "position-past-64-bits": cursor_of("p=99999999999999999999"),
    "offset-past-the-cutoff": cursor_of("o=5000"),
    "reverse-not-a-flag": cursor_of("r=2"),
    "unknown-key": cursor_of("q=1"),
    # What DRF read, skipping what is not base64, as the first page.
    "not-base64": "!!!!",
    "base64-and-more": "cD0x!!",
    "base64-of-nothing-readable": "AAAA",
    "ten-thousand-characters": "A" * 10_000,
    "past-the-limit": "A" * (MAX_CURSOR_LENGTH + 4),
}


# --- Cursors ------------------------------------------------------------------------


@pytest.mark.parametrize("cursor", HOSTILE_CURSORS.values(), ids=HOSTILE_CURSORS.keys())
@pytest.mark.parametrize("name", LISTS)
def test_a_cursor_the_server_did_not_write_is_400_naming_cursor(api_as, creator, world, name, cursor):
    response = api_as(creator).get(list_url(name, world), {"cursor": cursor})
    assert response.status_code == 400
    assert response.json() == BAD_CURSOR


@pytest.mark.parametrize("name", LISTS)
def test_the_next_link_still_leads_to_the_next_page(api_as, creator, world, name):
    client = api_as(creator)
    first = client.get(list_url(name, world), {"page_size": "1"}).json()
    assert first["next"], name
    second = client.get(first["next"])
    assert second.status_code == 200
    assert second.json()["results"][0] != first["results"][0]
    assert client.get(second.json()["previous"]).json()["results"] == first["results"]


def test_a_forged_cursor_on_the_thread_marks_nothing_read(api_as, actor, world):
    read_at = world.pending.actor_read_at
    api_as(actor).get(list_url("messages", world), {"cursor": "cD14"})
    world.pending.refresh_from_db()
    assert world.pending.actor_read_at == read_at


# --- Deeply nested JSON ---------------------------------------------------------------

DEEP = "[" * 10_000 + "]" * 10_000  # 20 KB


def _post_targets(world: World) -> dict[str, tuple[str, str, str]]:
    """name: (persona, method, path)."""
    return {
        "new-project": ("creator", "post", "/api/v1/projects/"),
        "change-project": ("creator", "patch", f"/api/v1/projects/{world.project.pk}/"),
        "new-shot": ("creator", "post", f"/api/v1/projects/{world.project.pk}/shots/"),
        "new-request": ("creator", "post", "/api/v1/requests/"),
        "message": ("creator", "post", f"/api/v1/requests/{world.pending.pk}/messages/"),
        "withdraw": ("creator", "post", f"/api/v1/requests/{world.pending.pk}/withdraw"),
        "accept": ("actor", "post", f"/api/v1/requests/{world.pending.pk}/accept"),
        "counter": ("actor", "post", f"/api/v1/requests/{world.pending.pk}/counter"),
        "sign": ("actor", "post", f"/api/v1/contracts/{world.contract.pk}/sign"),
    }


def _state() -> tuple:
    return (
        list(Project.objects.values_list("pk", "title", "updated_at")),
        Shot.objects.count(),
        list(UsageRequest.objects.values_list("pk", "status", "terms_version")),
        Message.objects.count(),
        list(Contract.objects.values_list("pk", "status")),
    )


@pytest.mark.parametrize(
    "target",
    ["new-project", "change-project", "new-shot", "new-request", "message", "withdraw", "accept", "counter", "sign"],
)
def test_json_nested_ten_thousand_levels_deep_is_400_and_changes_nothing(request, api_as, world, target):
    persona, method, path = _post_targets(world)[target]
    before = _state()
    client = api_as(request.getfixturevalue(persona))
    response = getattr(client, method)(path, DEEP, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": f"The JSON body is nested more than {MAX_JSON_DEPTH} levels deep."}
    assert _state() == before


def test_json_nested_past_the_limit_but_readable_is_refused_too():
    body = json.dumps({"note": json.loads("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH)}).encode()
    with pytest.raises(ParseError):
        JSONParser().parse(io.BytesIO(body), "application/json", {})


def test_json_at_the_limit_is_read():
    body = ("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH).encode()
    assert JSONParser().parse(io.BytesIO(body), "application/json", {}) is not None


# --- Filters sent empty ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "parameter"),
    [
        ("requests", "status"),
        ("requests", "project"),
        ("contracts", "status"),
        ("projects", "status"),
        ("requests", "page_size"),
        ("shots", "page_size"),
    ],
)
def test_a_parameter_sent_empty_is_400_naming_it(api_as, creator, world, name, parameter):
    response = api_as(creator).get(list_url(name, world), {parameter: ""})
    assert response.status_code == 400
    assert list(response.json()) == [parameter]
    if parameter != "page_size":
        assert response.json()[parameter] == EMPTY_FILTER


def test_a_status_filter_still_filters(api_as, creator, world):
    body = api_as(creator).get("/api/v1/requests/", {"status": "pending"}).json()
    assert [row["id"] for row in body["results"]] == [world.pending.pk]


@pytest.mark.parametrize("project", ["1.5", "1.0", " 1"])
def test_a_project_filter_that_is_not_an_id_is_400(api_as, creator, world, project):
    response = api_as(creator).get("/api/v1/requests/", {"project": project})
    assert response.status_code == 400
    assert list(response.json()) == ["project"]


# --- Values the schema refuses --------------------------------------------------------


@pytest.mark.parametrize("fee", [" 5000", "5000.", "5e3", "-0"])
def test_a_fee_not_written_as_the_schema_says_is_400_on_fee(api_as, creator, world, fee):
    shots = list(world.project.shots.values_list("pk", flat=True))
    body = {
        "actor": world.pending.actor.slug,
        "project": world.project.pk,
        "shots": shots,
        "fee": fee,
        "currency": "CNY",
        "term_start": "2030-01-01",
        "term_end": "2030-06-30",
        "territory": "cn_mainland",
    }
    before = _state()
    response = api_as(creator).post("/api/v1/requests/", body, format="json")
    assert response.status_code == 400
    assert "fee" in response.json()
    assert _state() == before


def test_a_title_over_the_limit_before_trimming_is_400(api_as, creator, world):
    body = {"title": "x" * 120 + " ", "category": "film"}
    response = api_as(creator).post("/api/v1/projects/", body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["title"]
    assert not Project.objects.filter(title="x" * 120).exists()
