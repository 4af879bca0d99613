"""One way to reach the warehouse: its URL, from the environment or the embedded server.

Order: WAREHOUSE_URL (an external PostgreSQL), then the Airflow connection `edu_warehouse` when code
runs inside an Airflow task (defined from the environment as AIRFLOW_CONN_EDU_WAREHOUSE), then the
embedded server, started on demand.
"""
from __future__ import annotations

import json
import os
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import create_engine
from sqlalchemy.engine import URL, Engine, make_url

from edu_quality.config import CONNECTION_ID
from edu_quality.warehouse import embedded


def warehouse_url(start_embedded: bool = True) -> str:
    """A libpq URL (`postgresql://…`) that psql accepts as it is."""
    url = os.environ.get("WAREHOUSE_URL")
    if url:
        return url
    conn = os.environ.get(f"AIRFLOW_CONN_{CONNECTION_ID.upper()}")
    if conn:
        return airflow_connection_to_url(conn)
    if start_embedded:
        return embedded.start()
    running = embedded.running_url()
    if running is None:
        raise RuntimeError("the embedded PostgreSQL is not running: run `edu-quality db start`")
    return running


def url_to_airflow_connection(url: str) -> str:
    """The Airflow connection (JSON form) for a libpq URL; a socket directory travels as `host`."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    host = parts.hostname or (query.get("host") or [""])[0]
    conn = {"conn_type": "postgres", "host": host, "login": parts.username or "",
            "password": parts.password or "", "schema": parts.path.lstrip("/"),
            "port": parts.port or 5432}
    return json.dumps(conn)


def airflow_connection_to_url(conn: str) -> str:
    if conn.lstrip().startswith("{"):
        c = json.loads(conn)
        user = c.get("login") or ""
        password = c.get("password") or ""
        auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        host = c.get("host") or ""
        database = c.get("schema") or ""
        if host.startswith("/"):
            return f"postgresql://{auth}/{database}?host={host}&port={c.get('port') or 5432}"
        return f"postgresql://{auth}{host}:{c.get('port') or 5432}/{database}"
    return conn.replace("postgres://", "postgresql://", 1)


def sqlalchemy_url(url: str) -> URL:
    """Force psycopg2: the stack pins it, and SQLAlchemy 2 would otherwise pick psycopg 3."""
    return make_url(url).set(drivername="postgresql+psycopg2")


_ENGINES: dict[str, Engine] = {}


def _engine_for(url: str) -> Engine:
    if url not in _ENGINES:
        _ENGINES[url] = create_engine(sqlalchemy_url(url), pool_pre_ping=True, future=True)
    return _ENGINES[url]


def _forget_parent_connections() -> None:
    """A forked child (a process pool, an executor) must not use or close the parent's pooled connections:
    two processes on one socket corrupt both. The child opens its own (SQLAlchemy's documented recipe)."""
    for eng in _ENGINES.values():
        eng.dispose(close=False)


os.register_at_fork(after_in_child=_forget_parent_connections)


def engine(url: str | None = None) -> Engine:
    return _engine_for(url or warehouse_url())
