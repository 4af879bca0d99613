"""The documents' data queries: one file each under sql/documents/<document>/<query>.sql, read once and
run with bound parameters, so the SQL can be read, reviewed and tried in psql on its own."""
from __future__ import annotations

from functools import cache

from sqlalchemy import TextClause, text
from sqlalchemy.engine import Connection, CursorResult

from edu_quality.config import PATHS

SQL_DIR = PATHS.sql / "documents"


@cache
def statement(name: str) -> TextClause:
    """`name` is `<document>/<query>`, e.g. `school_recommendations/schools`."""
    return text((SQL_DIR / f"{name}.sql").read_text(encoding="utf-8"))


def run(conn: Connection, name: str, params: dict | list[dict] | None = None, /, **bound) -> CursorResult:
    """Run a named query with `bound` parameters (or, for an insert of many rows, a list of them)."""
    return conn.execute(statement(name), params if params is not None else bound)
