"""The database side of the roster search: what indexes the stored search
text (``actors.search``) on each database. Created by migration actors/0010;
actors/0012 put the two trigram indexes into one (``PARTS_FORWARD``).

PostgreSQL (pg_trgm):

* ``actor_search_name(document)`` and ``actor_search_rest(document)``: the
  first line of the document (the stage name) and the rest. SQL functions
  the planner inlines, so a query that calls them uses these indexes:
* ``actor_search_parts_trgm``: trigram GIN on both parts, a column each,
  for words of three characters or more (``LIKE '%okafor%'``, also Chinese
  runs such as "林晓雨"). A GIN index serves a condition on either column
  as well as one on that column alone would, and conditions on both in
  one scan: "xiaoyu" in the name and "lin" in the rest (a match of
  "Lin Xiaoyu" outside the stage-name tier) is one index scan that
  intersects the two words' entries, 1.5 ms at 1,000,000 actors, where the
  two indexes of actors/0010 gave the planner bitmaps of 6,600 and 41,000
  rows, or 6,600 rows read from the table to test (26 ms);
* ``actor_search_grams``: GIN on the gram keys (``actor_search_keys``,
  split at spaces), for one- and two-character words ("王", "晓雨", "li");
* ``search_term_trgm``: trigram GiST on the lexicon, for typo correction:
  its nearest words come first from the index (``ORDER BY term <-> word
  LIMIT 3``), however large the lexicon.

The expression statistics are kept at the largest target, so the planner
knows how many actors a word finds, and chooses between walking the newest
index (common words) and fetching the few matches (rare ones). The profile
table plans no parallel scans: a roster page reads a few hundred rows, and
starting workers costs more than that.

SQLite (FTS5, trigram tokenizer, SQLite 3.34 or later): ``actors_search_fts``
holds the name and the rest of every document, and ``actors_searchterm_fts``
every lexicon word, kept in step by triggers. Django rebuilds a SQLite table
to alter it, which drops its triggers, so ``ensure_sqlite_search_index``
runs after every migrate and restores (and refills) whatever is missing.
"""

from django.db.backends.base.base import BaseDatabaseWrapper

POSTGRESQL_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "DROP INDEX IF EXISTS actor_search_document_trgm",
    "DROP INDEX IF EXISTS actor_search_vector_gin",
    "DROP INDEX IF EXISTS actor_stage_name_trgm",
    "DROP INDEX IF EXISTS actor_stage_name_pairs",
    "DROP FUNCTION IF EXISTS actor_name_pairs(text)",
    "CREATE OR REPLACE FUNCTION actor_search_name(document text) RETURNS text "
    "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT split_part(document, E'\\n', 1) $$",
    "CREATE OR REPLACE FUNCTION actor_search_rest(document text) RETURNS text "
    "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS "
    "$$ SELECT substr(document, strpos(document || E'\\n', E'\\n') + 1) $$",
    "CREATE INDEX IF NOT EXISTS actor_search_name_trgm ON actors_actorprofile "
    "USING gin (actor_search_name(search_document) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS actor_search_rest_trgm ON actors_actorprofile "
    "USING gin (actor_search_rest(search_document) gin_trgm_ops)",
    # Not SQL (which the planner would inline and cost as two cheap calls):
    # its cost makes the planner test the cheap substring first on each row.
    "CREATE OR REPLACE FUNCTION actor_search_keys(grams text) RETURNS text[] "
    "LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE COST 10 AS "
    "$$ BEGIN RETURN string_to_array(grams, ' '); END $$",
    "CREATE INDEX IF NOT EXISTS actor_search_grams ON actors_actorprofile USING gin (actor_search_keys(search_grams))",
    "ALTER INDEX actor_search_name_trgm ALTER COLUMN 1 SET STATISTICS 1000",
    "ALTER INDEX actor_search_rest_trgm ALTER COLUMN 1 SET STATISTICS 1000",
    "ALTER INDEX actor_search_grams ALTER COLUMN 1 SET STATISTICS 1000",
    "CREATE INDEX IF NOT EXISTS search_term_trgm ON actors_searchterm USING gist (term gist_trgm_ops)",
    "ALTER TABLE actors_actorprofile SET (parallel_workers = 0)",
    "ANALYZE actors_actorprofile",
]
POSTGRESQL_BACKWARD = [
    "ALTER TABLE actors_actorprofile RESET (parallel_workers)",
    "DROP INDEX IF EXISTS search_term_trgm",
    "DROP INDEX IF EXISTS actor_search_grams",
    "DROP INDEX IF EXISTS actor_search_rest_trgm",
    "DROP INDEX IF EXISTS actor_search_name_trgm",
    "DROP FUNCTION IF EXISTS actor_search_keys(text)",
    "DROP FUNCTION IF EXISTS actor_search_rest(text)",
    "DROP FUNCTION IF EXISTS actor_search_name(text)",
    # The indexes of actors/0003 and 0006, as they were.
    "CREATE OR REPLACE FUNCTION actor_name_pairs(name text) RETURNS text[] "
    "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ "
    "SELECT coalesce(array_agg(DISTINCT substr(name, i, 2)), '{}'::text[]) "
    "FROM generate_series(1, char_length(name) - 1) AS i $$",
    "CREATE INDEX IF NOT EXISTS actor_stage_name_pairs ON actors_actorprofile "
    "USING gin (actor_name_pairs(lower(stage_name)))",
    "CREATE INDEX IF NOT EXISTS actor_stage_name_trgm ON actors_actorprofile "
    "USING gin (lower(stage_name) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS actor_search_vector_gin ON actors_actorprofile USING gin (search_vector)",
    "CREATE INDEX IF NOT EXISTS actor_search_document_trgm ON actors_actorprofile "
    "USING gin (search_document gin_trgm_ops)",
]

# actors/0012: one trigram index over both parts in place of one per part.
# Its name and its statistics targets; the two indexes it replaces go.
_PARTS_INDEX = (
    "CREATE INDEX IF NOT EXISTS actor_search_parts_trgm ON actors_actorprofile USING gin "
    "(actor_search_name(search_document) gin_trgm_ops, actor_search_rest(search_document) gin_trgm_ops)"
)
PARTS_FORWARD = [
    _PARTS_INDEX,
    "ALTER INDEX actor_search_parts_trgm ALTER COLUMN 1 SET STATISTICS 1000",
    "ALTER INDEX actor_search_parts_trgm ALTER COLUMN 2 SET STATISTICS 1000",
    "DROP INDEX IF EXISTS actor_search_name_trgm",
    "DROP INDEX IF EXISTS actor_search_rest_trgm",
    "ANALYZE actors_actorprofile",
]
PARTS_BACKWARD = [
    *(
        statement
        for statement in POSTGRESQL_FORWARD
        if "actor_search_name_trgm" in statement or "actor_search_rest_trgm" in statement
    ),
    "DROP INDEX IF EXISTS actor_search_parts_trgm",
    "ANALYZE actors_actorprofile",
]

# SQLite: the FTS5 tables and the triggers that keep them in step. The
# name is the text before the first line break, the rest what follows it
# (the same split as actor_search_name and actor_search_rest).
SQLITE_TABLES = {
    "actors_search_fts": "CREATE VIRTUAL TABLE actors_search_fts USING fts5(name, rest, tokenize='trigram')",
    "actors_searchterm_fts": "CREATE VIRTUAL TABLE actors_searchterm_fts USING fts5(term, tokenize='trigram')",
}
_NEW_ROW = (
    "INSERT INTO actors_search_fts(rowid, name, rest) VALUES (new.id, "
    "substr(new.search_document, 1, instr(new.search_document || char(10), char(10)) - 1), "
    "substr(new.search_document, instr(new.search_document || char(10), char(10)) + 1));"
)
SQLITE_TRIGGERS = {
    "actors_search_fts_insert": "CREATE TRIGGER actors_search_fts_insert AFTER INSERT ON actors_actorprofile "
    f"BEGIN {_NEW_ROW} END",
    "actors_search_fts_update": "CREATE TRIGGER actors_search_fts_update AFTER UPDATE OF search_document "  # noqa: S608
    f"ON actors_actorprofile BEGIN DELETE FROM actors_search_fts WHERE rowid = old.id; {_NEW_ROW} END",
    "actors_search_fts_delete": "CREATE TRIGGER actors_search_fts_delete AFTER DELETE ON actors_actorprofile "
    "BEGIN DELETE FROM actors_search_fts WHERE rowid = old.id; END",
    "actors_searchterm_fts_insert": "CREATE TRIGGER actors_searchterm_fts_insert AFTER INSERT ON actors_searchterm "
    "BEGIN INSERT INTO actors_searchterm_fts(rowid, term) VALUES (new.rowid, new.term); END",
    "actors_searchterm_fts_delete": "CREATE TRIGGER actors_searchterm_fts_delete AFTER DELETE ON actors_searchterm "
    "BEGIN DELETE FROM actors_searchterm_fts WHERE rowid = old.rowid; END",
}
_REFILL = [
    "DELETE FROM actors_search_fts",
    "INSERT INTO actors_search_fts(rowid, name, rest) SELECT id, "
    "substr(search_document, 1, instr(search_document || char(10), char(10)) - 1), "
    "substr(search_document, instr(search_document || char(10), char(10)) + 1) FROM actors_actorprofile",
    "DELETE FROM actors_searchterm_fts",
    "INSERT INTO actors_searchterm_fts(rowid, term) SELECT rowid, term FROM actors_searchterm",
]


def run_postgresql(connection: BaseDatabaseWrapper, statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def ensure_sqlite_search_index(connection: BaseDatabaseWrapper) -> bool:
    """Create the FTS5 tables and triggers that are missing and refill the
    tables if anything was; True when something had to be made. Does nothing
    on another database or before the tables it indexes exist."""
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
        present = {row[0] for row in cursor.fetchall()}
        if not {"actors_actorprofile", "actors_searchterm"} <= present:
            return False
        missing = [sql for name, sql in {**SQLITE_TABLES, **SQLITE_TRIGGERS}.items() if name not in present]
        for statement in missing:
            cursor.execute(statement)
        if missing:
            for statement in _REFILL:
                cursor.execute(statement)
    return bool(missing)


def drop_sqlite_search_index(connection: BaseDatabaseWrapper) -> None:
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for name in SQLITE_TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        for name in SQLITE_TABLES:
            cursor.execute(f"DROP TABLE IF EXISTS {name}")
