"""A throwaway PostgreSQL database for a benchmark, on the server of
``DATABASE_URL``: created under a name of its own, Django set up on it with
the development settings (DEBUG off), dropped afterwards unless kept.

Benchmarks run as scripts (``python benchmarks/sweep.py``), so this module is
imported by its name from the benchmarks folder.
"""

import os
import sys
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SERVER_URL = "postgres://postgres@127.0.0.1:5432/postgres"


def in_throwaway_database(benchmark: str, *, keep: bool, run: Callable[[str], int]) -> int:
    """``run(database_url)`` in a new database; its exit status, or 2 when
    ``DATABASE_URL`` names no PostgreSQL server."""
    server_url = os.environ.get("DATABASE_URL", DEFAULT_SERVER_URL)
    if not server_url.startswith(("postgres://", "postgresql://")):
        print(f"bench-{benchmark} measures PostgreSQL: set DATABASE_URL=postgres://...", file=sys.stderr)
        return 2
    name = f"consentcast_bench_{benchmark}_{os.getpid()}"
    database_url = urlparse(server_url)._replace(path=f"/{name}").geturl()
    _admin(server_url, f'CREATE DATABASE "{name}"')
    print(f"Created database {name}")
    try:
        return run(database_url)
    finally:
        if keep:
            print(f"Kept database {name}")
        else:
            from django.conf import settings

            if settings.configured:
                from django.db import connections

                connections.close_all()
            _admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            print(f"Dropped database {name}")


def setup_django(database_url: str) -> None:
    """Django on ``database_url``, as a production process would run (DEBUG off)."""
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "marketplace.settings.development"
    os.environ["DEBUG"] = "False"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _admin(server_url: str, statement: str) -> None:
    import psycopg

    url = urlparse(server_url)._replace(path="/postgres").geturl().replace("postgres://", "postgresql://", 1)
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(statement)
