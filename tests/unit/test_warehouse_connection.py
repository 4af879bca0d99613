"""The warehouse through Airflow's connection `edu_warehouse`: passwords with any characters and libpq extras
(sslmode, application_name, …) survive every hop — WAREHOUSE_URL → AIRFLOW_CONN_EDU_WAREHOUSE → Airflow's own
parser → the URL psycopg2 connects with; inside Airflow the connection, not WAREHOUSE_URL, is the warehouse."""
from __future__ import annotations

import json
import uuid
from urllib.parse import quote

import pytest
from psycopg2.extensions import parse_dsn
from sqlalchemy import text
from sqlalchemy.engine import make_url

from edu_quality.warehouse import connection

HOSTILE = "p@ss:w/rd%?#"


@pytest.fixture(autouse=True)
def _fresh_lookups(monkeypatch):
    monkeypatch.setattr(connection, "_LOOKUPS", {})
    for var in ("WAREHOUSE_URL", "AIRFLOW_CONN_EDU_WAREHOUSE", "AIRFLOW_CONN_EDU_WAREHOUSE_ANALYST",
                "_AIRFLOW_PROCESS_CONTEXT"):
        monkeypatch.delenv(var, raising=False)


def _airflow_parse(value: str):
    from airflow.sdk import Connection

    return Connection.from_json(value, conn_id="edu_warehouse") if value.lstrip().startswith("{") \
        else Connection.from_uri(value, conn_id="edu_warehouse")


def test_a_url_becomes_a_connection_airflow_reads_back_exactly():
    url = f"postgresql://etl:{quote(HOSTILE, safe='')}@db.region.example:6543/edu_quality?sslmode=verify-full"
    conn = _airflow_parse(connection.url_to_airflow_connection(url))
    assert (conn.login, conn.password, conn.host, conn.port, conn.schema) == (
        "etl", HOSTILE, "db.region.example", 6543, "edu_quality")
    assert conn.extra_dejson == {"sslmode": "verify-full"}
    dsn = parse_dsn(connection.connection_url(conn))
    assert dsn == {"user": "etl", "password": HOSTILE, "host": "db.region.example", "port": "6543",
                   "dbname": "edu_quality", "sslmode": "verify-full"}


@pytest.mark.parametrize("form", ["json", "uri"])
def test_a_connection_defined_in_airflow_keeps_its_password_and_extras(form):
    if form == "json":
        value = json.dumps({"conn_type": "postgres", "host": "db.example", "login": "u$er", "password": HOSTILE,
                            "schema": "edu quality", "port": 5433,
                            "extra": {"sslmode": "require", "connect_timeout": 7, "cursor": "dictcursor"}})
    else:  # Airflow's URI form, every part percent-encoded as Airflow's docs say
        value = (f"postgres://{quote('u$er', safe='')}:{quote(HOSTILE, safe='')}@db.example:5433/"
                 f"{quote('edu quality', safe='')}?sslmode=require&connect_timeout=7&cursor=dictcursor")
    dsn = parse_dsn(connection.connection_url(_airflow_parse(value)))
    # `cursor` is the Postgres provider's own extra, not libpq's: left out rather than refused by libpq.
    assert dsn == {"user": "u$er", "password": HOSTILE, "host": "db.example", "port": "5433",
                   "dbname": "edu quality", "sslmode": "require", "connect_timeout": "7"}


def test_inside_airflow_the_connection_is_the_warehouse_not_warehouse_url(monkeypatch):
    monkeypatch.setenv("WAREHOUSE_URL", "postgresql://someone@elsewhere:5432/other")
    monkeypatch.setenv("AIRFLOW_CONN_EDU_WAREHOUSE", json.dumps(
        {"conn_type": "postgres", "host": "warehouse", "login": "edu", "password": HOSTILE,
         "schema": "edu_quality", "port": 5432, "extra": {"sslmode": "require"}}))
    assert make_url(connection.warehouse_url()).host == "elsewhere"  # the command line: WAREHOUSE_URL
    monkeypatch.setenv("_AIRFLOW_PROCESS_CONTEXT", "server")  # what Airflow's api-server sets
    dsn = parse_dsn(connection.warehouse_url())
    assert (dsn["host"], dsn["password"], dsn["sslmode"]) == ("warehouse", HOSTILE, "require")


def test_the_command_line_hands_warehouse_url_to_airflow_as_the_connection(monkeypatch):
    from edu_quality.orchestration.environment import airflow_env

    url = f"postgresql://etl:{quote(HOSTILE, safe='')}@db.region.example:5432/edu_quality?sslmode=require"
    monkeypatch.setenv("WAREHOUSE_URL", url)
    env = airflow_env(start_embedded=False)
    assert "WAREHOUSE_URL" not in env  # not beside the connection
    conn = _airflow_parse(env["AIRFLOW_CONN_EDU_WAREHOUSE"])
    assert (conn.password, conn.extra_dejson) == (HOSTILE, {"sslmode": "require"})


def test_a_real_login_with_a_hostile_password_and_extras_connects(warehouse, monkeypatch):
    """On the session's PostgreSQL: a login whose name and password need encoding, with extras that only
    reach the server if they survived (application_name is visible to the session itself)."""
    role = f"t_conn_{uuid.uuid4().hex[:8]}"
    with warehouse.begin() as conn:
        conn.execute(text(f"create role {role} login password '{HOSTILE}' in role edu_analyst"))
    server = make_url(connection.warehouse_url())
    try:
        monkeypatch.setenv("AIRFLOW_CONN_EDU_WAREHOUSE", json.dumps(
            {"conn_type": "postgres", "host": server.query.get("host") or server.host, "login": role,
             "password": HOSTILE, "schema": server.database, "port": server.port or 5432,
             "extra": {"application_name": "edu quality & co", "sslmode": "disable"}}))
        monkeypatch.setenv("_AIRFLOW_PROCESS_CONTEXT", "server")
        eng = connection.engine()
        try:
            with eng.connect() as conn:
                who, app = conn.execute(text("select current_user, current_setting('application_name')")).one()
        finally:
            eng.dispose()
        assert (who, app) == (role, "edu quality & co")
    finally:
        with warehouse.begin() as conn:
            conn.execute(text(f"drop role {role}"))
