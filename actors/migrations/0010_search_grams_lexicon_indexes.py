"""The roster's search text laid out anew (``actors.search``), its gram keys,
the lexicon of words, and the indexes that serve them (``actors.search_index``).

1. The ``search_grams`` column and the ``SearchTerm`` lexicon.
2. PostgreSQL: the search indexes of actors/0003 and 0006 are dropped before
   the rewrite below, so it does not update them row by row.
3. Every profile's search text is rewritten (the stage name on the first
   line, its mentions below replaced by line breaks), its gram keys computed
   and its words added to the lexicon, a batch at a time.
4. The new indexes: on PostgreSQL the functions, trigram and gram indexes,
   statistics targets and no parallel plans on the profiles; on SQLite the
   FTS5 tables and triggers, filled.

On a large PostgreSQL database, run ``VACUUM ANALYZE actors_actorprofile``
afterwards: the rewrite leaves a dead version of every row behind.
"""

from django.db import migrations, models

from actors import search
from actors.search_index import (
    POSTGRESQL_BACKWARD,
    POSTGRESQL_FORWARD,
    drop_sqlite_search_index,
    ensure_sqlite_search_index,
    run_postgresql,
)

BATCH = 2000
# The statements of POSTGRESQL_FORWARD that drop the old indexes: run first.
_DROPS = [statement for statement in POSTGRESQL_FORWARD if statement.startswith(("DROP ", "CREATE EXTENSION"))]


def drop_old_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        run_postgresql(schema_editor.connection, _DROPS)


def rewrite_search_text(apps, schema_editor):
    ActorProfile = apps.get_model("actors", "ActorProfile")
    SearchTerm = apps.get_model("actors", "SearchTerm")
    fields = ("pk", "stage_name", "headline", "skills", "city", "bio")
    last = 0
    while True:
        batch = list(ActorProfile.objects.filter(pk__gt=last).order_by("pk").only(*fields)[:BATCH])
        if not batch:
            return
        last = batch[-1].pk
        terms: set[str] = set()
        for actor in batch:
            actor.search_document = search.search_document_for(
                stage_name=actor.stage_name,
                headline=actor.headline,
                skills=actor.skills,
                city=actor.city,
                bio=actor.bio,
            )
            actor.search_grams = search.search_grams_for(actor.search_document)
            terms |= search.search_terms_in(actor.search_document)
        _save(schema_editor, ActorProfile, batch)
        SearchTerm.objects.bulk_create([SearchTerm(term=term) for term in sorted(terms)], ignore_conflicts=True)


def _save(schema_editor, ActorProfile, batch) -> None:
    if schema_editor.connection.vendor != "postgresql":
        ActorProfile.objects.bulk_update(batch, ["search_document", "search_grams"])
        return
    # One UPDATE ... FROM (VALUES ...) per batch: far faster than CASE arms.
    rows = ", ".join(["(%s, %s, %s)"] * len(batch))
    values = [value for actor in batch for value in (actor.pk, actor.search_document, actor.search_grams)]
    schema_editor.execute(
        "UPDATE actors_actorprofile AS actor SET search_document = new.document, search_grams = new.grams "  # noqa: S608
        f"FROM (VALUES {rows}) AS new(id, document, grams) WHERE actor.id = new.id",
        values,
    )


def create_indexes(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        run_postgresql(connection, [statement for statement in POSTGRESQL_FORWARD if statement not in _DROPS])
    ensure_sqlite_search_index(connection)


def drop_indexes(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        run_postgresql(connection, POSTGRESQL_BACKWARD)
    drop_sqlite_search_index(connection)


class Migration(migrations.Migration):
    dependencies = [("actors", "0009_likeness_dhash_bigint_bands")]

    operations = [
        migrations.AddField(
            model_name="actorprofile",
            name="search_grams",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.CreateModel(
            name="SearchTerm",
            fields=[("term", models.CharField(max_length=40, primary_key=True, serialize=False))],
        ),
        migrations.RunPython(drop_old_indexes, migrations.RunPython.noop),
        migrations.RunPython(rewrite_search_text, migrations.RunPython.noop),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
