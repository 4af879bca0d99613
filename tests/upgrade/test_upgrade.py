"""A region that installed the previous release keeps its warehouse: the release's frozen warehouse (one year
through its whole cycle, tests/upgrade/freeze.py) is restored, migrated by `edu-quality db migrate` of this
checkout and the same year run again; its mart is then the mart of a fresh install that ran that year. The
previous release is the newest one CHANGELOG.md lists as released, with the migrations it names; its
migrations are never edited afterwards, and a changed one is refused with its message."""
from __future__ import annotations

import gzip
import hashlib
import json
import re
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import text

from edu_quality.config import PATHS
from edu_quality.warehouse.migrations import migration_files
from tests.cli import edu_quality
from tests.reliability.support import create_database, run_cycle, warehouse_digest

from .freeze import HASH_KEY

HERE = Path(__file__).resolve().parent
CHANGELOG = PATHS.root / "CHANGELOG.md"


def released() -> tuple[str, list[str]]:
    """The newest released version in CHANGELOG.md (a `## X.Y.Z — date` heading; `## Unreleased` is not one) and
    the migrations its warehouse has: those listed under it and under every older release."""
    sections = re.split(r"^## ", CHANGELOG.read_text(encoding="utf-8"), flags=re.MULTILINE)[1:]
    releases = [s for s in sections if re.match(r"\d+\.\d+\.\d+\b", s)]
    assert releases, "CHANGELOG.md lists no release"
    migrations = sorted(name for s in releases for name in re.findall(r"`(\d{3}_[\w-]+\.sql)`", s))
    return re.match(r"\d+\.\d+\.\d+", releases[0]).group(0), migrations


def _frozen() -> Path:
    version, _ = released()
    return HERE / f"release-{version}"


@pytest.fixture(scope="module", autouse=True)
def frozen_key(monkeypatch_module):
    monkeypatch_module.setenv("EDU_QUALITY_HASH_KEY", HASH_KEY)


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as mp:
        yield mp


def _restore(pg_server, migrated_template, private_database) -> tuple[str, str]:
    """A new database holding the frozen release's warehouse (the server's roles exist: the template made them)."""
    from pgserver._commands import POSTGRES_BIN_PATH

    server_url, admin = pg_server
    db = private_database("t_upgraded")
    # An empty database, not the template's clone: the dump brings its own schema.
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'drop database "{db.name}" with (force)'))
    db.engine.dispose()
    create_database(admin, db.name, None)
    with gzip.open(_frozen() / "warehouse.sql.gz", "rb") as f:
        sql = f.read()
    done = subprocess.run([str(Path(POSTGRES_BIN_PATH) / "psql"), "--no-psqlrc", "--quiet", "-v", "ON_ERROR_STOP=1",
                           "--dbname", db.url], input=sql, capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr.decode()[-3000:]
    return db.name, db.url


@pytest.fixture(scope="module")
def release() -> dict:
    return json.loads((_frozen() / "release.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def upgraded(pg_server, migrated_template, private_database, release, tmp_path_factory):
    name, url = _restore(pg_server, migrated_template, private_database)
    migrated = edu_quality("db", "migrate", env={"WAREHOUSE_URL": url}, timeout=300)
    assert migrated.returncode == 0, migrated.stderr
    output = tmp_path_factory.mktemp("upgraded-output")
    done = run_cycle(url, _frozen() / "inbox", output)
    assert done.returncode == 0, done.stderr[-3000:]
    return {"url": url, "migrate": migrated.stdout, "output": output}


@pytest.fixture(scope="module")
def fresh(private_database, tmp_path_factory):
    db = private_database("t_fresh_install")
    output = tmp_path_factory.mktemp("fresh-output")
    done = run_cycle(db.url, _frozen() / "inbox", output)
    assert done.returncode == 0, done.stderr[-3000:]
    return {"url": db.url, "output": output}


def test_the_changelog_names_the_installed_version_and_the_previous_release(release):
    """`edu-quality --version` is pyproject's version; CHANGELOG.md has a section for it (released or the
    Unreleased one above the last release) and the frozen warehouse of the last release is here."""
    out = edu_quality("--version")
    assert out.returncode == 0
    current = re.match(r"edu-quality (\d+\.\d+\.\d+) \(migrations 001–(\d{3})\)", out.stdout.strip())
    assert current, out.stdout
    assert current.group(2) == f"{migration_files()[-1][0]:03d}"
    text_ = CHANGELOG.read_text(encoding="utf-8")
    assert re.search(rf"^## ({re.escape(current.group(1))}\b|Unreleased)", text_, flags=re.MULTILINE)
    version, migrations = released()
    assert release["version"] == version
    assert release["migrations"] == migrations, "CHANGELOG.md and the frozen release disagree on its migrations"


def test_released_migrations_are_unchanged(release):
    """Migrations are append-only: every migration of the release has the checksum its warehouse recorded."""
    with gzip.open(_frozen() / "warehouse.sql.gz", "rt", encoding="utf-8") as f:
        dump = f.read()
    block = dump.split("COPY meta.schema_migration", 1)[1].split("\n\\.\n", 1)[0].splitlines()[1:]
    recorded = {line.split("\t")[1]: line.split("\t")[2] for line in block}
    assert sorted(recorded) == release["migrations"]
    files = {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for _, path in migration_files()}
    changed = sorted(name for name, checksum in recorded.items() if files.get(name) != checksum)
    assert changed == [], f"released migrations edited or removed (add a new migration instead): {changed}"


def test_the_upgrade_applies_the_new_migrations_only(upgraded, release):
    new = [path.name for _, path in migration_files() if path.name not in release["migrations"]]
    assert upgraded["migrate"].strip() == "применены миграции: " + (", ".join(new) if new else "нет новых")


def test_an_upgraded_warehouse_has_the_mart_of_a_fresh_install(upgraded, fresh):
    left = warehouse_digest(upgraded["url"], upgraded["output"])
    right = warehouse_digest(fresh["url"], fresh["output"])
    mart = sorted(k for k in right if k.startswith("mart."))
    assert mart and sorted(k for k in left if k.startswith("mart.")) == mart
    assert {k: left[k] for k in mart} == {k: right[k] for k in mart}
    # Not vacuous: the year is there on both sides, with every kind of output.
    for view in ("mart.load_log", "mart.quarantine", "mart.indicator_values", "mart.school_status",
                 "mart.recommendations"):
        assert not right[view].startswith("0 rows"), view


def test_a_changed_migration_is_refused_with_its_message(pg_server, migrated_template, private_database):
    """An applied migration whose file changed since (its checksum differs): `db migrate` exits 1 and says
    which file and what to do, and applies nothing."""
    name, url = _restore(pg_server, migrated_template, private_database)
    victim = migration_files()[2][1].name
    from sqlalchemy import create_engine

    from edu_quality.warehouse.connection import sqlalchemy_url

    eng = create_engine(sqlalchemy_url(url))
    try:
        with eng.begin() as conn:
            conn.execute(text("update meta.schema_migration set checksum = md5(checksum) where name = :n"),
                         {"n": victim})
            before = conn.execute(text("select count(*) from meta.schema_migration")).scalar_one()
        done = edu_quality("db", "migrate", env={"WAREHOUSE_URL": url}, timeout=300)
        assert done.returncode == 1
        assert done.stderr.strip() == (f"ошибка: migration {victim} changed after it was applied; "
                                       "add a new migration instead")
        with eng.connect() as conn:
            assert conn.execute(text("select count(*) from meta.schema_migration")).scalar_one() == before
    finally:
        eng.dispose()
