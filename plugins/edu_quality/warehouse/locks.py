"""PostgreSQL advisory locks: two runs touching the same thing at once are serialised, not interleaved
(the annual DAG and a per-source DAG loading the same file, two runs of one year).

Session locks: a run that dies (even by SIGKILL) loses its connection and the server releases them.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.engine import Engine


@contextmanager
def advisory_lock(engine: Engine, *key: object, shared: bool = False) -> Iterator[None]:
    """Hold a session lock on `key` (hashed to 64 bits by PostgreSQL) for the duration of the block.

    A shared lock excludes only the exclusive lock on the same key: many holders may share it at once.
    """
    name = "|".join(str(k) for k in key)
    kind = "_shared" if shared else ""
    with engine.connect() as conn:
        conn.execute(text(f"select pg_advisory_lock{kind}(hashtextextended(:k, 0))"), {"k": name})
        conn.commit()
        try:
            yield
        finally:
            conn.execute(text(f"select pg_advisory_unlock{kind}(hashtextextended(:k, 0))"), {"k": name})
            conn.commit()
