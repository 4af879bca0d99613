"""One way to reach the warehouse: its URL, from Airflow's connection, the environment or the embedded server.

Order:
  * inside Airflow (a task, the api-server, the scheduler): the Airflow connection `edu_warehouse`, read
    through Airflow's own API (`airflow.sdk.Connection.get`), so a connection defined in the UI, in a
    secrets backend or as AIRFLOW_CONN_EDU_WAREHOUSE (JSON or URI) works, with any characters in the
    password and its extras (`sslmode`, `sslrootcert`, `connect_timeout`, …) passed on to libpq;
  * outside Airflow (the command line, tests, benchmarks): WAREHOUSE_URL, then AIRFLOW_CONN_EDU_WAREHOUSE
    when a shell exports it (parsed by Airflow's parser too), then the embedded server, started on demand.

`edu-quality` turns WAREHOUSE_URL into the connection for the Airflow processes it starts
(`orchestration/environment.py`), so inside Airflow there is one definition of the warehouse only.
"""
from __future__ import annotations

import json
import os
import time
from typing import Any
from urllib.parse import quote, urlencode

from sqlalchemy import create_engine
from sqlalchemy.engine import URL, Engine, make_url

from edu_quality.config import CONNECTION_ID
from edu_quality.warehouse import embedded

# libpq's connection keywords an Airflow connection's extras may carry on to psycopg2/psql
# (https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-PARAMKEYWORDS). Other extras
# (the Postgres provider's `cursor`, `iam`, `sqlalchemy_scheme`, …) mean nothing to libpq and are left out.
LIBPQ_EXTRAS = frozenset({
    "sslmode", "sslrootcert", "sslcert", "sslkey", "sslpassword", "sslcrl", "sslcrldir", "sslsni",
    "sslcompression", "ssl_min_protocol_version", "ssl_max_protocol_version", "sslnegotiation",
    "sslcertmode", "requirepeer", "require_auth", "channel_binding", "gssencmode", "krbsrvname", "gsslib",
    "gssdelegation", "service", "passfile", "connect_timeout", "client_encoding", "options",
    "application_name", "fallback_application_name", "keepalives", "keepalives_idle",
    "keepalives_interval", "keepalives_count", "tcp_user_timeout", "target_session_attrs",
    "load_balance_hosts", "hostaddr",
})


def conn_env_var(conn_id: str = CONNECTION_ID) -> str:
    return f"AIRFLOW_CONN_{conn_id.upper()}"


def in_airflow() -> bool:
    """True in an Airflow task (the Task SDK's supervisor channel is set, `airflow dags test` included)
    and in Airflow's server processes (api-server, scheduler, dag-processor, triggerer)."""
    if os.environ.get("_AIRFLOW_PROCESS_CONTEXT") in ("server", "client"):
        return True
    import sys

    runner = sys.modules.get("airflow.sdk.execution_time.task_runner")
    return getattr(runner, "SUPERVISOR_COMMS", None) is not None


def warehouse_url(start_embedded: bool = True) -> str:
    """A libpq URL (`postgresql://…`) that psql and psycopg2 accept as it is."""
    if in_airflow():
        return airflow_connection_url(CONNECTION_ID)
    url = os.environ.get("WAREHOUSE_URL")
    if url:
        return url
    if os.environ.get(conn_env_var()):
        return airflow_connection_url(CONNECTION_ID)
    if start_embedded:
        return embedded.start()
    running = embedded.running_url()
    if running is None:
        raise RuntimeError("the embedded PostgreSQL is not running: run `edu-quality db start`")
    return running


# Connection look-ups are round trips (to the supervisor, the metadata DB or a secrets backend): kept for a
# minute, so a step's many engine() calls cost one, and a connection edited in the UI is seen soon.
_LOOKUP_TTL = 60.0
_LOOKUPS: dict[str, tuple[float, str]] = {}


def airflow_connection_url(conn_id: str) -> str:
    """The URL of an Airflow connection, looked up through Airflow (raises when it is not defined)."""
    cached = _LOOKUPS.get(conn_id)
    if cached and time.monotonic() - cached[0] < _LOOKUP_TTL:
        return cached[1]
    from airflow.sdk import Connection

    url = connection_url(Connection.get(conn_id))
    _LOOKUPS[conn_id] = (time.monotonic(), url)
    return url


def connection_url(conn: Any) -> str:
    """A libpq URL for an Airflow connection object (host, login, password, schema, port, extras):
    every part percent-encoded, a socket directory as `host=` and libpq's keywords among the extras
    as query parameters."""
    extras = conn.extra_dejson if getattr(conn, "extra", None) else {}
    host = conn.host or ""
    query: dict[str, str] = {}
    if host.startswith("/"):  # a Unix socket directory: libpq takes it as a parameter
        query["host"] = host
        netloc_host = ""
    else:
        netloc_host = f"[{host}]" if ":" in host else host
    for key in sorted(extras):
        if key in LIBPQ_EXTRAS and extras[key] is not None:
            value = extras[key]
            query[key] = json.dumps(value) if isinstance(value, bool) else str(value)
    auth = ""
    if conn.login:
        auth = quote(conn.login, safe="")
        if conn.password:
            auth += ":" + quote(conn.password, safe="")
        auth += "@"
    port = conn.port or 5432
    if netloc_host:
        netloc = f"{auth}{netloc_host}:{port}"
    else:
        netloc = auth
        query.setdefault("port", str(port))
    url = f"postgresql://{netloc}/{quote(conn.schema or '', safe='')}"
    return url + ("?" + urlencode(query, safe="/", quote_via=quote) if query else "")


def url_to_airflow_connection(url: str) -> str:
    """The Airflow connection (JSON form, for AIRFLOW_CONN_EDU_WAREHOUSE) for a libpq URL: percent-decoded
    parts, a socket directory as `host`, the URL's other parameters (`sslmode`, …) as extras."""
    parsed = make_url(url)  # decodes %XX in the user, password and database
    query = {k: (v if isinstance(v, str) else v[-1]) for k, v in parsed.query.items()}
    host = parsed.host or query.pop("host", "")
    query.pop("host", None)
    port = parsed.port or int(query.pop("port", 0) or 5432)
    query.pop("port", None)
    conn: dict[str, Any] = {"conn_type": "postgres", "host": host, "login": parsed.username or "",
                            "password": parsed.password or "", "schema": parsed.database or "", "port": port}
    if query:
        conn["extra"] = query
    return json.dumps(conn, ensure_ascii=False)


def sqlalchemy_url(url: str) -> URL:
    """Force psycopg2: the stack pins it, and SQLAlchemy 2 would otherwise pick psycopg 3."""
    return make_url(url).set(drivername="postgresql+psycopg2")


_ENGINES: dict[tuple[str, str | None], Engine] = {}


def _engine_for(url: str, role: str | None = None) -> Engine:
    key = (url, role)
    if key not in _ENGINES:
        connect_args = {}
        if role:
            # Every session of this engine runs as `role`, read-only: set at connection start-up, so no
            # transaction rollback (the pool's reset) can undo it.
            own = make_url(url).query.get("options")  # a connection's own `options` extra is kept
            connect_args["options"] = " ".join(filter(None, [own if isinstance(own, str) else None,
                                                             f"-c role={role} -c default_transaction_read_only=on"]))
        _ENGINES[key] = create_engine(sqlalchemy_url(url), pool_pre_ping=True, connect_args=connect_args)
    return _ENGINES[key]


def _forget_parent_connections() -> None:
    """A forked child (a process pool, an executor) must not use or close the parent's pooled connections:
    two processes on one socket corrupt both. The child opens its own (SQLAlchemy's documented recipe)."""
    for eng in _ENGINES.values():
        eng.dispose(close=False)


os.register_at_fork(after_in_child=_forget_parent_connections)


def engine(url: str | None = None) -> Engine:
    return _engine_for(url or warehouse_url())


# The read-only role of regional analysts (migration 003): what the campaign page in Airflow reads as.
ANALYST_ROLE = "edu_analyst"
# An optional login of its own for the page (a member of edu_analyst); without it the page uses the
# warehouse connection, its sessions switched to edu_analyst.
ANALYST_CONNECTION_ID = f"{CONNECTION_ID}_analyst"


def analyst_engine() -> Engine:
    """An engine whose sessions are `edu_analyst`'s, read-only: mart views only, nothing in core or meta."""
    if in_airflow():
        try:
            url = airflow_connection_url(ANALYST_CONNECTION_ID)
        except Exception as exc:  # AirflowNotFoundException: no login of its own, the warehouse's then
            if type(exc).__name__ != "AirflowNotFoundException":
                raise
            url = warehouse_url()
    else:
        url = warehouse_url()
    return _engine_for(url, ANALYST_ROLE)
