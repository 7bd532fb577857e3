"""What a PostgreSQL statement ran: its plan's scans, for plan tests."""

import json

from django.db import connection

Scan = tuple[str, str, int]


def executed_scans(sql: str, params) -> list[Scan]:
    """(node type, relation, index or CTE, loops) of every scan the
    statement ran (``EXPLAIN ANALYZE``: a scan never run has no loops)."""
    found: list[Scan] = []
    _scans(_analyzed(sql, params), found)
    return found


def executed_in_ctes(sql: str, params, names: tuple[str, ...]) -> list[list[Scan]]:
    """For each CTE of the plan called one of ``names`` (each part of a
    statement has its own), the scans run inside it, as ``executed_scans``."""
    found: list[list[Scan]] = []

    def walk(node):
        if node.get("Subplan Name", "").removeprefix("CTE ") in names:
            found.append([])
            _scans(node, found[-1])
        for child in node.get("Plans", []):
            walk(child)

    walk(_analyzed(sql, params))
    return found


def _analyzed(sql: str, params) -> dict:
    """The root node of the statement's ``EXPLAIN ANALYZE`` plan."""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return plan[0]["Plan"]


def _scans(node: dict, into: list[Scan]) -> None:
    if "Scan" in node["Node Type"]:
        name = node.get("Index Name") or node.get("Relation Name") or node.get("CTE Name", "")
        into.append((node["Node Type"], name, node.get("Actual Loops", 0)))
    for child in node.get("Plans", []):
        _scans(child, into)
