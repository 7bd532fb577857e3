"""Roster search indexes on PostgreSQL: a GIN index on the weighted search
vector, and trigram indexes for typo-tolerant stage names and for substring
search in Chinese text (which has no word boundaries for the tsvector parser).
On SQLite this migration does nothing; the roster falls back to LIKE."""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS actor_search_vector_gin ON actors_actorprofile USING gin (search_vector)",
    "CREATE INDEX IF NOT EXISTS actor_stage_name_trgm ON actors_actorprofile USING gin (lower(stage_name) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS actor_search_document_trgm ON actors_actorprofile "
    "USING gin (search_document gin_trgm_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS actor_search_document_trgm",
    "DROP INDEX IF EXISTS actor_stage_name_trgm",
    "DROP INDEX IF EXISTS actor_search_vector_gin",
]


def _run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("actors", "0002_profile_photos_consent_red_lines_access")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
