"""Versioned SQL migrations under sql/migrations/, applied once each, in order, under a lock.

A file is applied in its own transaction and recorded in meta.schema_migration with its checksum; a
changed checksum for an applied version is an error (migrations are append-only).
"""
from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine

from edu_quality.config import PATHS

log = logging.getLogger(__name__)
_VERSION = re.compile(r"^(\d{3,})_[\w-]+\.sql$")
# Any fixed 64-bit number: serialises concurrent migrators (two Airflow tasks, a CLI and a test).
_LOCK_ID = 7_310_001


def migration_files(folder: Path | None = None) -> list[tuple[int, Path]]:
    folder = folder or PATHS.migrations
    found = []
    for path in sorted(folder.glob("*.sql")):
        m = _VERSION.match(path.name)
        if m:
            found.append((int(m.group(1)), path))
    return found


def migrate(engine: Engine) -> list[str]:
    """Apply pending migrations; return the names of those applied now."""
    applied_now: list[str] = []
    # The advisory lock belongs to a session: hold it on one dedicated connection throughout.
    with engine.connect() as lock_conn:
        lock_conn.execute(text("select pg_advisory_lock(:id)"), {"id": _LOCK_ID})
        lock_conn.commit()
        try:
            _apply_pending(engine, applied_now)
        finally:
            lock_conn.execute(text("select pg_advisory_unlock(:id)"), {"id": _LOCK_ID})
            lock_conn.commit()
    return applied_now


def _apply_pending(engine: Engine, applied_now: list[str]) -> None:
    with engine.begin() as conn:
        conn.execute(text("create schema if not exists meta"))
        conn.execute(text(
            "create table if not exists meta.schema_migration ("
            " version integer primary key, name text not null, checksum text not null,"
            " applied_at timestamptz not null default now())"))
        done = {row.version: row.checksum for row in conn.execute(
            text("select version, checksum from meta.schema_migration"))}
    for version, path in migration_files():
        body = path.read_text(encoding="utf-8")
        checksum = hashlib.sha256(body.encode()).hexdigest()
        if version in done:
            if done[version] != checksum:
                raise RuntimeError(
                    f"migration {path.name} changed after it was applied; add a new migration instead")
            continue
        with engine.begin() as conn:
            # Straight to the driver with no parameters, so `%` in comments is not a placeholder.
            conn.connection.dbapi_connection.cursor().execute(body)
            conn.execute(text("insert into meta.schema_migration (version, name, checksum) "
                              "values (:v, :n, :c)"), {"v": version, "n": path.name, "c": checksum})
        log.info("applied migration %s", path.name)
        applied_now.append(path.name)
