"""SQL queries ``jobc test`` asks for after a run: each against the database of a named secret,
resolved at run time like a task's secret, the rows returned as JSON (values JSON cannot hold as
text)."""

from __future__ import annotations

import pathlib
from collections.abc import Mapping, Sequence
from typing import Any

from jobc_runtime.secret_store import resolve_secret

# The connection settings a PostgreSQL secret may hold (as the PostgreSQL function reads them).
_CONNECTION_KEYS = ("host", "port", "dbname", "user", "password", "sslmode", "connect_timeout")


def run_queries(queries: Sequence[Mapping[str, Any]], project_root: str) -> list[dict[str, Any]]:
    """One result per query: ``{"rows": [[...], ...], "error": None}`` or ``{"rows": None, "error": "..."}``."""
    return [_run(query, project_root) for query in queries]


def _run(query: Mapping[str, Any], project_root: str) -> dict[str, Any]:
    try:
        import psycopg2

        secret = resolve_secret(str(query["secret"]), pathlib.Path(project_root))
        settings = {key: secret[key] for key in _CONNECTION_KEYS if key in secret}
        connection = psycopg2.connect(**settings)
        try:
            with connection.cursor() as cursor:
                cursor.execute(str(query["query"]))
                rows = cursor.fetchall() if cursor.description is not None else []
        finally:
            connection.rollback()
            connection.close()
    except Exception as error:  # the failure is the test's finding, never the executor's crash
        return {"rows": None, "error": f"{type(error).__name__}: {str(error).strip()}"}
    return {"rows": [[_cell(value) for value in row] for row in rows], "error": None}


def _cell(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)  # Decimal, dates, ...: their text
