"""Private databases for the reliability tests on the session's PostgreSQL: one with the small inbox
loaded (the template each fault test starts from), and the reference — the same inbox through the
whole cycle with nothing going wrong."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from .support import (
    create_database,
    database_url,
    documents_digest,
    drop_database,
    make_inbox,
    run_cycle,
    unique_name,
    warehouse_digest,
)


@dataclass
class Reference:
    url: str
    database: str
    output: Path
    warehouse: dict[str, str]
    documents: dict[str, str]


@pytest.fixture(scope="session")
def server_url(pg_server) -> str:
    return pg_server[0]


@pytest.fixture(scope="session")
def databases(pg_server, server_url):
    """create(name, template=None) → URL of a new database, empty or a copy of `template`, dropped at the end of
    the session."""
    admin = pg_server[1]
    created: list[str] = []

    def create(prefix: str, template: str | None = None) -> tuple[str, str]:
        name = unique_name(prefix)
        create_database(admin, name, template)
        created.append(name)
        return name, database_url(server_url, name)

    yield create
    for name in reversed(created):
        drop_database(admin, name)


@pytest.fixture(scope="session")
def inbox(tmp_path_factory) -> Path:
    return make_inbox(tmp_path_factory.mktemp("reliability-inbox"))


@pytest.fixture(scope="session")
def loaded(databases, inbox, tmp_path_factory) -> str:
    """The name of a database with the inbox loaded and nothing computed yet (a template: never connect to it)."""
    name, url = databases("rel_loaded")
    done = run_cycle(url, inbox, tmp_path_factory.mktemp("unused-output"), until="loaded")
    assert done.returncode == 0, done.stderr[-3000:]
    return name


@pytest.fixture(scope="session")
def reference(databases, loaded, inbox, tmp_path_factory) -> Reference:
    name, url = databases("rel_reference", template=loaded)
    output = tmp_path_factory.mktemp("reference-output")
    done = run_cycle(url, inbox, output)
    assert done.returncode == 0, done.stderr[-3000:]
    ref = Reference(url, name, output, warehouse_digest(url, output), documents_digest(output))
    # Not vacuous: the run filled every part the fault tests compare.
    for table in ("core.vpr_result", "core.quarantine", "core.indicator_value", "core.school_status",
                  "core.recommendation", "core.document"):
        assert not ref.warehouse[table].startswith("0 rows"), table
    assert sum(1 for p in ref.documents if p.endswith(".pdf")) >= 5
    return ref
