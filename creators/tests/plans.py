"""What a PostgreSQL statement ran: its plan's scans, for plan tests."""

import json

from django.db import connection


def executed_scans(sql: str, params) -> list[tuple[str, str, int]]:
    """(node type, relation, index or CTE, loops) of every scan the
    statement ran (``EXPLAIN ANALYZE``: a scan never run has no loops)."""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    found = []

    def walk(node):
        if "Scan" in node["Node Type"]:
            name = node.get("Index Name") or node.get("Relation Name") or node.get("CTE Name", "")
            found.append((node["Node Type"], name, node.get("Actual Loops", 0)))
        for child in node.get("Plans", []):
            walk(child)

    walk(plan[0]["Plan"])
    return found


def executed_in_ctes(sql: str, params, names: tuple[str, ...]) -> list[list[tuple[str, str, int]]]:
    """For each CTE of the plan called one of ``names`` (each part of a
    statement has its own), the scans run inside it, as ``executed_scans``."""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    found: list[list[tuple[str, str, int]]] = []

    def scans(node, into):
        if "Scan" in node["Node Type"]:
            name = node.get("Index Name") or node.get("Relation Name") or node.get("CTE Name", "")
            into.append((node["Node Type"], name, node.get("Actual Loops", 0)))
        for child in node.get("Plans", []):
            scans(child, into)

    def walk(node):
        if node.get("Subplan Name", "").removeprefix("CTE ") in names:
            found.append([])
            scans(node, found[-1])
        for child in node.get("Plans", []):
            walk(child)

    walk(plan[0]["Plan"])
    return found
