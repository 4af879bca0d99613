"""The management cycle's part of the municipal and regional reports: every `cycle_*.sql` of the report's
query folder (sql/documents/<report>/), run with the report's parameters, under its name without the prefix
(`cycle.targets`, `cycle.completeness`, …); the partial templates _municipal_cycle / _regional_cycle show them."""
from __future__ import annotations

from sqlalchemy.engine import Connection

from edu_quality.documents import queries


def cycle_rows(conn: Connection, report: str, **params) -> dict[str, list[dict]]:
    return {path.stem.removeprefix("cycle_"): [dict(r) for r in queries.run(conn, f"{report}/{path.stem}", **params)
                                                .mappings()]
            for path in sorted((queries.SQL_DIR / report).glob("cycle_*.sql"))}
