"""The OpenAPI schema: it validates, it lists every endpoint of DESIGN.md,
the docs serve from local files, and schemathesis, in process against the
WSGI application as a creator and as an actor, runs every check it has (as
``--checks all``): no server error, no undocumented status code or header,
no response that breaks the schema, valid data accepted and invalid data
refused.

Each operation × persona is its own test id
(``test_schemathesis_finds_nothing[GET /api/v1/actors/][creator]``), so
xdist runs them all, and each records that it ran
(``marketplace.tests.schemathesis_count``), so CI can tell."""

import json
from dataclasses import dataclass

import jsonschema_rs
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from openapi_spec_validator import validate
from schemathesis.checks import CHECKS, is_check_class, load_all_checks
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import positive_data_acceptance as schemathesis_positive_data_acceptance

from marketplace.api.fields import plain_text_pattern, visible_text_pattern
from marketplace.api.pagination import MAX_PAGE_SIZE
from marketplace.forms import has_control_characters
from marketplace.tests.schemathesis_count import PERSONAS, api_schema, record_case

pytestmark = pytest.mark.django_db

SCHEMA_URL = "/api/schema/?format=json"
DESIGN_PATHS = {
    ("get", "/api/v1/actors/"),
    ("get", "/api/v1/actors/{slug}/"),
    ("get", "/api/v1/projects/"),
    ("post", "/api/v1/projects/"),
    ("get", "/api/v1/projects/{id}/"),
    ("patch", "/api/v1/projects/{id}/"),
    ("get", "/api/v1/requests/"),
    ("post", "/api/v1/requests/"),
    ("get", "/api/v1/requests/{id}/"),
    ("post", "/api/v1/requests/{id}/accept"),
    ("post", "/api/v1/requests/{id}/decline"),
    ("post", "/api/v1/requests/{id}/counter"),
    ("post", "/api/v1/requests/{id}/accept-counter"),
    ("post", "/api/v1/requests/{id}/withdraw"),
    ("get", "/api/v1/requests/{id}/messages/"),
    ("post", "/api/v1/requests/{id}/messages/"),
    ("get", "/api/v1/contracts/"),
    ("get", "/api/v1/contracts/{id}/"),
    ("post", "/api/v1/contracts/{id}/sign"),
    ("get", "/api/v1/licenses/{code}/"),
    ("get", "/api/v1/licenses/{code}/check"),
    ("get", "/api/v1/outputs/{sha256}/"),
}
# Rules no OpenAPI schema can state: over rows (a slug or an id that must
# exist, a shot number that must be free, the legal name on file) or between
# two values (dates in order, a range's ends). A request valid by the schema
# may be refused by these only: a 400 naming nothing but their fields. Any
# other 400 to valid data is a schema that promises more than the server takes.
RULES_BEYOND_THE_SCHEMA: dict[str, set[str]] = {
    "GET /api/v1/actors/": {"age_max"},  # not below age_min
    "POST /api/v1/projects/": {"end_date"},  # not before start_date
    "PATCH /api/v1/projects/{id}/": {"end_date"},
    "POST /api/v1/projects/{id}/shots/": {"number"},  # free in the project
    # A listed actor, one of your projects and its shots; terms within the
    # project's dates and the actor's red lines.
    "POST /api/v1/requests/": {"actor", "project", "shots", "term_start", "term_end", "red_lines"},
    "POST /api/v1/requests/{id}/accept": {"decisions"},  # the request's shots, each decided
    "POST /api/v1/requests/{id}/counter": {"term_start", "term_end", "red_lines"},
    "POST /api/v1/contracts/{id}/sign": {"typed_name"},  # the legal name on the profile
    # https:// to a host that resolves, to public addresses only; at most 10 webhooks.
    "POST /api/v1/webhooks/": {"url"},
    # Outputs of this contract, each once, a rejection with its note.
    "POST /api/v1/contracts/{id}/outputs/review": {"verdicts"},
    # A real image or video (its bytes, not its type, decide), an approved
    # shot of the contract, a rejected output of it to replace.
    "POST /api/v1/contracts/{id}/outputs/": {"file", "shot", "replaces"},
}


def positive_data_acceptance(ctx, response, case):
    """schemathesis's check, but a 400 naming only the operation's
    ``RULES_BEYOND_THE_SCHEMA`` is an answer to valid data too."""
    if response.status_code == 400 and case.meta is not None and case.meta.generation.mode.is_positive:
        body = response.json()
        named = set(body) if isinstance(body, dict) else set()
        if named and named <= RULES_BEYOND_THE_SCHEMA.get(case.operation.label, set()):
            return None
    return schemathesis_positive_data_acceptance(ctx, response, case)


load_all_checks()
# Every check schemathesis has, as `st run --checks all`, the negative data
# check included; its positive data check as above.
ALL_CHECKS = [
    positive_data_acceptance if check is schemathesis_positive_data_acceptance else check
    for check in CHECKS.get_all()
    if not is_check_class(check)
]


@pytest.fixture
def spec(api_client) -> dict:
    response = api_client.get(SCHEMA_URL)
    assert response.status_code == 200
    return json.loads(response.content)


def test_the_schema_is_valid_openapi(spec):
    validate(spec)


def test_the_schema_lists_every_endpoint_of_the_design(spec):
    listed = {(method, path) for path, operations in spec["paths"].items() for method in operations}
    assert listed >= DESIGN_PATHS


def test_only_the_licence_checks_and_the_output_lookup_are_public(spec):
    public = {
        (method, path)
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
        if not operation.get("security")
    }
    assert public == {
        ("get", "/api/v1/licenses/{code}/"),
        ("get", "/api/v1/licenses/{code}/check"),
        ("get", "/api/v1/outputs/{sha256}/"),
    }


def test_every_operation_documents_its_errors(spec):
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            assert {"400", "401", "429"} <= operation["responses"].keys(), (method, path)
            if method == "post" and "licenses" not in path:
                assert "409" in operation["responses"], (method, path)


def test_the_docs_load_only_local_files(api_client):
    response = api_client.get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "https://" not in page
    assert "http://" not in page.replace('xmlns="http://', "")
    script = api_client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert "cdn" not in script.content.decode().lower()
    assert '"validatorUrl": null' in script.content.decode()


# --- What the schema says about input (issue 13) ------------------------------------


def _property(spec: dict, component: str, name: str) -> dict:
    return spec["components"]["schemas"][component]["properties"][name]


def _accepts(schema: dict, value) -> bool:
    return jsonschema_rs.Draft4Validator(schema).is_valid(value)


def test_the_thread_is_documented_as_a_page_of_messages(spec):
    operation = spec["paths"]["/api/v1/requests/{id}/messages/"]["get"]
    page = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert page == {"$ref": "#/components/schemas/PaginatedMessageList"}
    assert {parameter["name"] for parameter in operation["parameters"]} >= {"cursor", "page_size"}


def test_every_list_documents_the_limits_of_page_size_and_cursor(spec):
    lists = 0
    for path, operations in spec["paths"].items():
        parameters = {
            parameter["name"]: parameter["schema"] for parameter in operations.get("get", {}).get("parameters", [])
        }
        if "page_size" not in parameters:
            continue
        lists += 1
        assert parameters["page_size"] == {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE}, path
        assert {"pattern", "maxLength"} <= parameters["cursor"].keys(), path
    assert lists == 7  # actors, contracts, projects, shots, requests, messages, a contract's outputs


@pytest.mark.parametrize(
    ("component", "name", "refused", "accepted"),
    [
        (
            "ProjectRequest",
            "title",
            ["", "   ", "\t\n", "Night\u202eMarket", "\u200b", "bell\x07"],
            ["Night Market", "夜市 🌃"],
        ),
        ("ProjectRequest", "logline", ["A\u2066B", "\x00", "\ue000"], ["", "  ", "Line one\nline two"]),
        ("ShotRequest", "description", ["\u3000", "\ufeff", "look\U000e0001"], ["Courier looks back"]),
        ("ReasonInputRequest", "reason", ["\x1b[31m", "\u202e"], ["", "Budget cut"]),
        ("SignInputRequest", "typed_name", ["", " ", "Lin\u200dXiaoyu"], ["Lin Xiaoyu"]),
        # Taken as sent and cleaned by message_send, which keeps only what prints.
        ("MessageInputRequest", "body", ["", "   ", "\n\t", "\x07", "\u200b\u3000"], [" hi ", "a\x07", "🌃"]),
    ],
)
def test_free_text_documents_what_the_server_refuses(spec, component, name, refused, accepted):
    schema = _property(spec, component, name)
    assert [value for value in refused if _accepts(schema, value)] == []
    assert [value for value in accepted if not _accepts(schema, value)] == []


@pytest.mark.parametrize(
    ("pattern", "refuses"),
    [
        (lambda: plain_text_pattern(allow_blank=True), has_control_characters),
        (lambda: plain_text_pattern(allow_blank=False), lambda ch: has_control_characters(ch) or ch.isspace()),
        (visible_text_pattern, lambda ch: not ch.isprintable() or ch.isspace()),
    ],
    ids=["plain-text", "plain-text-not-blank", "visible-text"],
)
def test_each_text_pattern_agrees_with_the_server_on_every_character(pattern, refuses):
    """Surrogates aside (no JSON Schema validator reads them), every code
    point: as a one-character value, the pattern admits it exactly when the
    server's own rule does."""
    validator = jsonschema_rs.Draft4Validator({"pattern": pattern()})
    disagreements = [
        f"U+{code_point:04X}"
        for code_point in range(0x110000)
        if not 0xD800 <= code_point <= 0xDFFF and validator.is_valid(chr(code_point)) == refuses(chr(code_point))
    ]
    assert disagreements == []


@pytest.mark.parametrize("component", ["RequestCreateInputRequest", "CounterInputRequest"])
def test_the_fee_is_documented_as_the_server_reads_it(spec, component):
    schema = _property(spec, component, "fee")
    refused = ["", "-1", "-0", "5.", " 5", "5e3", "5000.001", "12345678901", -1, 0.001, 10**10, True, None]
    accepted = ["6500.00", "6500", "0.5", 6500, 6500.5, 0, 9999999999.99]
    assert [value for value in refused if _accepts(schema, value)] == []
    assert [value for value in accepted if not _accepts(schema, value)] == []


def test_signing_documents_that_only_a_ticked_box_signs(spec):
    consent = _property(spec, "SignInputRequest", "consent")
    enum = spec["components"]["schemas"][consent["allOf"][0]["$ref"].rsplit("/", 1)[1]]
    assert _accepts(enum, True)
    assert not _accepts(enum, False)


def test_enum_filters_are_documented_without_the_empty_value(spec):
    for path in ("/api/v1/requests/", "/api/v1/contracts/", "/api/v1/projects/"):
        status = next(p for p in spec["paths"][path]["get"]["parameters"] if p["name"] == "status")
        assert "" not in status["schema"]["enum"], path


# --- schemathesis -------------------------------------------------------------------


@dataclass
class World:
    creator_key: str
    actor_key: str


@pytest.fixture
def world(settings, actor, creator, token_for):
    """A creator and an actor with a project, a pending request and a contract,
    so generated ids sometimes hit real rows; the limits out of the way."""
    from usage_requests.tests.factories import accepted_contract, open_actor, send_request

    settings.API_REQUESTS_PER_MINUTE_PER_ADDRESS = 10**6
    settings.API_REQUESTS_PER_MINUTE_PER_TOKEN = 10**6
    settings.LICENCE_CHECKS_PER_MINUTE = 10**6
    profile = open_actor(actor.actor_profile)
    send_request(actor=profile, creator=creator.creator_profile)
    accepted_contract(actor=profile, creator=creator.creator_profile)
    # As in Django's test client: a request must not close the test's connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield World(creator_key=token_for(creator), actor_key=token_for(actor))
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _load_schema():
    """The schema as the API serves it, generated without a request, and the
    WSGI application schemathesis calls in process."""
    loaded = schemathesis.openapi.from_dict(api_schema())
    loaded.app = get_wsgi_application()
    return loaded


schema = _load_schema()

BOUNDED = settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


def test_every_check_runs():
    registered = {check.__name__ for check in CHECKS.get_all() if not is_check_class(check)}
    assert {check.__name__ for check in ALL_CHECKS} == registered
    assert {"not_a_server_error", "positive_data_acceptance", "negative_data_rejection"} <= registered
    assert schemathesis_positive_data_acceptance not in ALL_CHECKS


def _keep_drawn_cursor_out_of_valid_queries(case) -> None:
    """A cursor is valid only as the server handed it out (``next`` or
    ``previous``): the schema states its alphabet and length, not which
    strings the server wrote. A query meant to be valid leaves a drawn
    cursor out; a query meant to be invalid keeps it, to be refused."""
    query_component = case.meta.components.get(ParameterLocation.QUERY) if case.meta else None
    if case.query and case.query.get("cursor") and (query_component is None or query_component.mode.is_positive):
        del case.query["cursor"]


@pytest.fixture
def ran():
    """Records the case once its test has called the API at least once."""
    called: list[tuple[str, str]] = []
    yield called
    if called:
        record_case(*called[0])


@pytest.mark.parametrize("persona", PERSONAS)
@schema.parametrize()
@BOUNDED
def test_schemathesis_finds_nothing(case, persona, world, ran):
    _keep_drawn_cursor_out_of_valid_queries(case)
    key = world.creator_key if persona == "creator" else world.actor_key
    # Schemathesis's WSGI transport reads the body as sent, without undoing a
    # Content-Encoding: ask for it plain (test_compression covers gzip).
    headers = {"Authorization": f"Token {key}", "Accept-Encoding": "identity"}
    case.call_and_validate(headers=headers, checks=ALL_CHECKS)
    if not ran:
        ran.append((persona, case.operation.label))
