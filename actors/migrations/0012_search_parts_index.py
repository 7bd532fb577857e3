"""One trigram index over both parts of the search text (the stage name and
the rest, ``actors.search_index.PARTS_FORWARD``) in place of one per part:
a search of several words finds the actors with one word in the name and
another in the rest in one index scan (the roster's second relevance tier).

PostgreSQL only; SQLite's FTS5 table is unchanged. The index is built in the
migration's transaction, which holds writes to the profiles meanwhile (27
seconds at 1,000,000 actors here). On a large live database, build it first
with ``CREATE INDEX CONCURRENTLY`` and the same definition: the migration
then finds it and only drops the two it replaces.
"""

from django.db import migrations

from actors.search_index import PARTS_BACKWARD, PARTS_FORWARD, run_postgresql


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        run_postgresql(schema_editor.connection, PARTS_FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        run_postgresql(schema_editor.connection, PARTS_BACKWARD)


class Migration(migrations.Migration):
    # Each statement commits on its own: ANALYZE in the transaction that set
    # the statistics targets ran with the old ones (100 where 1000 was set,
    # and the planner then guessed 10 profiles with "lin" where 4,110 had it).
    atomic = False
    dependencies = [("actors", "0011_access_log_archive")]

    operations = [migrations.RunPython(forward, backward)]
