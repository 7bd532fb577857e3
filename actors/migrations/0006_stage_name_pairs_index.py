"""The character pairs of the lower-cased stage name, indexed (PostgreSQL).

The roster puts the actors whose stage name matches a search first, and must
find them through an index. Words of three or more characters are found by
the trigram index on lower(stage_name) (actors/0003); a two-character word,
which is what most Chinese name searches are ("晓雨"), has no trigram. This
GIN index holds every pair of consecutive characters of the lower-cased
stage name, so ``actor_name_pairs(lower(stage_name)) @> ARRAY['晓雨']`` finds
the few candidates, then checked with LIKE. On SQLite this migration does
nothing; the roster falls back to LIKE."""

from django.db import migrations

FORWARD = [
    # IMMUTABLE: it depends on its argument alone, so it can be indexed.
    "CREATE OR REPLACE FUNCTION actor_name_pairs(name text) RETURNS text[] "
    "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ "
    "SELECT coalesce(array_agg(DISTINCT substr(name, i, 2)), '{}'::text[]) "
    "FROM generate_series(1, char_length(name) - 1) AS i $$",
    "CREATE INDEX IF NOT EXISTS actor_stage_name_pairs ON actors_actorprofile "
    "USING gin (actor_name_pairs(lower(stage_name)))",
]
BACKWARD = [
    "DROP INDEX IF EXISTS actor_stage_name_pairs",
    "DROP FUNCTION IF EXISTS actor_name_pairs(text)",
]


def _run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("actors", "0005_actorprofile_hidden_at")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
