"""PostgreSQL advisory locks: two runs touching the same thing at once are serialised, not interleaved
(the annual DAG and a per-source DAG loading the same file, two runs of one year)."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.engine import Engine


@contextmanager
def advisory_lock(engine: Engine, *key: object) -> Iterator[None]:
    """Hold a session lock on `key` (hashed to 64 bits by PostgreSQL) for the duration of the block."""
    name = "|".join(str(k) for k in key)
    with engine.connect() as conn:
        conn.execute(text("select pg_advisory_lock(hashtextextended(:k, 0))"), {"k": name})
        conn.commit()
        try:
            yield
        finally:
            conn.execute(text("select pg_advisory_unlock(hashtextextended(:k, 0))"), {"k": name})
            conn.commit()
