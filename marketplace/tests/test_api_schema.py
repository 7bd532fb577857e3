"""The OpenAPI schema: it validates, it lists every endpoint of DESIGN.md,
the docs serve from local files, and schemathesis, in process against the
WSGI application as a creator and as an actor, finds no server error, no
undocumented status code, and no response that breaks the schema."""

import json
from dataclasses import dataclass

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from openapi_spec_validator import validate
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

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
}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
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


def test_only_the_licence_check_is_public(spec):
    public = {
        (method, path)
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
        if not operation.get("security")
    }
    assert public == {("get", "/api/v1/licenses/{code}/")}


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
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    generated = SchemaGenerator().get_schema(request=None, public=True)
    loaded = schemathesis.openapi.from_dict(json.loads(OpenApiJsonRenderer().render(generated)))
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


@schema.parametrize()
@BOUNDED
def test_schemathesis_finds_nothing_as_a_creator(case, world):
    case.call_and_validate(headers={"Authorization": f"Token {world.creator_key}"}, checks=CHECKS)


@schema.parametrize()
@BOUNDED
def test_schemathesis_finds_nothing_as_an_actor(case, world):
    case.call_and_validate(headers={"Authorization": f"Token {world.actor_key}"}, checks=CHECKS)
