"""Shared fixtures: a real embedded PostgreSQL in a temporary home, separate from the user's demo.

Isolation: the session migrates one template database; every test module that asks for `warehouse` gets a
database of its own cloned from it (CREATE DATABASE … TEMPLATE), and WAREHOUSE_URL names that database while
the module runs, so the product code (`engine()`, `edu-quality` in a subprocess, the Airflow it starts) works
on it too. Nothing a module writes is seen by another: any test runs alone or in any order. The server's own
default database is never migrated, so a test that reaches the warehouse without asking for one fails in
every order, not only in some. A module (or a session fixture) that needs more databases calls
`private_database("prefix")`.
"""
from __future__ import annotations

import os
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

# Before anything imports the package: the whole test session lives in its own home.
_HOME = Path(tempfile.mkdtemp(prefix="edu-quality-test-"))
os.environ["EDU_QUALITY_HOME"] = str(_HOME)
os.environ.setdefault("EDU_QUALITY_HASH_KEY", "test-only-key-not-a-secret")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
for var in ("AIRFLOW_HOME", "AIRFLOW_CONN_EDU_WAREHOUSE", "WAREHOUSE_URL"):
    os.environ.pop(var, None) if not os.environ.get("EDU_QUALITY_TEST_KEEP_ENV") else None

# Hypothesis: CI draws the same examples every run (derandomised, so a failure replays as it is); a developer
# gets fresh ones (HYPOTHESIS_PROFILE=dev). No deadline: a loaded 2-core machine is not a slow function.
from hypothesis import settings  # noqa: E402

settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(scope="session")
def home() -> Path:
    return _HOME


@dataclass
class Database:
    """A database of the session's server: its name, a psql/psycopg2-ready URL and an engine on it."""
    name: str
    url: str
    engine: object


@pytest.fixture(scope="session")
def pg_server(home):
    """An engine on the session's PostgreSQL (embedded, or WAREHOUSE_URL's server with
    EDU_QUALITY_TEST_KEEP_ENV=1), on its default database: for CREATE/DROP DATABASE only."""
    from edu_quality.warehouse import embedded
    from edu_quality.warehouse.connection import engine, warehouse_url

    url = warehouse_url()
    eng = engine(url)
    yield url, eng
    eng.dispose()
    if not os.environ.get("WAREHOUSE_URL"):
        embedded.stop()


def _database_url(server_url: str, name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def _create(admin, name: str, template: str | None) -> None:
    from tests.reliability.support import create_database

    create_database(admin, name, template)


def _drop(admin, name: str) -> None:
    from tests.reliability.support import drop_database

    drop_database(admin, name)


@pytest.fixture(scope="session")
def migrated_template(pg_server) -> str:
    """The name of a database with every migration applied and nothing else: what each private database is
    cloned from (never connected to after it is made, as CREATE DATABASE … TEMPLATE requires)."""
    from edu_quality.warehouse.connection import engine
    from edu_quality.warehouse.migrations import migrate

    server_url, admin = pg_server
    name = f"edu_template_{uuid.uuid4().hex[:8]}"
    _create(admin, name, None)
    eng = engine(_database_url(server_url, name))
    migrate(eng)
    eng.dispose()
    yield name
    _drop(admin, name)


class _Databases:
    """private_database(prefix, template=None) → Database: a new migrated database (a clone of the session's
    template, or of `template`); `.drop(db)` ends it early, the session drops whatever is left."""

    def __init__(self, server_url: str, admin, template: str) -> None:
        self.server_url, self.admin, self.template = server_url, admin, template
        self.made: list[Database] = []

    def __call__(self, prefix: str, template: str | None = None) -> Database:
        from edu_quality.warehouse.connection import engine

        name = f"{prefix}_{uuid.uuid4().hex[:8]}".lower()
        _create(self.admin, name, template or self.template)
        url = _database_url(self.server_url, name)
        db = Database(name, url, engine(url))
        self.made.append(db)
        return db

    def drop(self, db: Database) -> None:
        db.engine.dispose()
        _drop(self.admin, db.name)
        self.made.remove(db)


@pytest.fixture(scope="session")
def private_database(pg_server, migrated_template):
    server_url, admin = pg_server
    databases = _Databases(server_url, admin, migrated_template)
    yield databases
    for db in reversed(list(databases.made)):
        databases.drop(db)


@pytest.fixture(scope="module")
def warehouse_database(request, private_database) -> Database:
    """This module's own migrated database; WAREHOUSE_URL names it while the module runs (so `engine()` and
    the subprocesses the module starts use it); dropped when the module ends."""
    prefix = "t_" + request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")[:40]
    db = private_database(prefix)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WAREHOUSE_URL", db.url)
        mp.delenv("AIRFLOW_CONN_EDU_WAREHOUSE", raising=False)
        yield db
    private_database.drop(db)


@pytest.fixture(scope="module")
def warehouse(warehouse_database):
    """An engine on this module's own migrated warehouse (see warehouse_database)."""
    return warehouse_database.engine


@pytest.fixture(scope="session")
def runner():
    """One Great Expectations context for the session (creating one costs about a second)."""
    from edu_quality.validation.gx_runner import SuiteRunner

    return SuiteRunner(data_docs=False)
