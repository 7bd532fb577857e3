"""How many schemathesis cases ran, against how many the schema has.

A case is one operation of the API schema tested as one persona. The
schemathesis test (``test_api_schema.py``) appends one line per case it ran
to ``CASES_FILE``; ``make test`` empties the file first. Under xdist a case
that shares its test id with another is silently not run, so a green run
proves nothing until this count says every case ran:

    python -m marketplace.tests.schemathesis_count

prints both figures (and any case missing) and exits 1 when fewer ran than
the schema has; ``.ci/run`` runs it after each ``make test``.
"""

import os
import sys
from pathlib import Path

PERSONAS = ("creator", "actor")
CASES_FILE = Path(__file__).resolve().parents[2] / "var" / "schemathesis-cases.txt"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def api_schema() -> dict:
    """The OpenAPI schema the API serves, generated without a request."""
    import json

    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    generated = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(generated))


def operation_labels(spec: dict) -> list[str]:
    """Every operation as schemathesis names it: ``GET /api/v1/actors/``."""
    return [
        f"{method.upper()} {path}"
        for path, operations in spec["paths"].items()
        for method in operations
        if method in HTTP_METHODS
    ]


def case_line(persona: str, label: str) -> str:
    return f"{persona}\t{label}\n"


def record_case(persona: str, label: str) -> None:
    """Append one case; a single ``O_APPEND`` write, so the lines of two
    xdist workers never interleave."""
    CASES_FILE.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(CASES_FILE, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(descriptor, case_line(persona, label).encode())
    finally:
        os.close(descriptor)


def executed_cases() -> set[str]:
    if not CASES_FILE.exists():
        return set()
    return set(CASES_FILE.read_text().splitlines(keepends=True))


def expected_cases(spec: dict) -> set[str]:
    return {case_line(persona, label) for label in operation_labels(spec) for persona in PERSONAS}


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings.test")
    import django

    django.setup()
    spec = api_schema()
    expected = expected_cases(spec)
    executed = executed_cases() & expected
    operations = len(operation_labels(spec))
    print(
        f"schemathesis: {len(executed)} cases executed; "
        f"the schema has {operations} operations x {len(PERSONAS)} personas = {len(expected)}"
    )
    for missing in sorted(expected - executed):
        print(f"  not run: {missing.rstrip()}")
    return 0 if len(executed) >= len(expected) else 1


if __name__ == "__main__":
    sys.exit(main())
