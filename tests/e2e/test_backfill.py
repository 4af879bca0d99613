"""Backfill: an Airflow backfill of `annual_monitoring_cycle` over past years, run by a real scheduler
(LocalExecutor, with an api-server for the tasks' Execution API), gives the same warehouse and the same
documents as a fresh `edu-quality run --year Y` of each year.

The years are those of the DAG's own past logical dates: its schedule is 1 December and it starts on
1 September 2024, and Airflow refuses backfills of future dates, so the runs of 1 December 2024 and
2025 (results years 2024 and 2025) are the only ones a backfill can make. The years do not clash with
the other tests: each side has its own database in the embedded PostgreSQL (created and dropped here)
and its own output folder, and the scheduler has an Airflow home of its own.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import zipfile
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from sample_region import generate

# Several minutes (two cycles under a scheduler, two fresh ones): `pytest -m 'not backfill'` leaves it out.
pytestmark = [pytest.mark.e2e, pytest.mark.backfill]

DAG_ID = "annual_monitoring_cycle"
YEARS = (2024, 2025)              # campaigns of the logical dates 2024-12-01 and 2025-12-01
FROM_DATE, TO_DATE = "2024-09-01", "2025-12-31"
ISSUED_ON = "2025-11-20"          # one conf for every run of a backfill, so one date for both sides
RUN_TIMEOUT = 900                 # seconds for the whole backfill (about 4 minutes on two idle cores)
# Columns that say when or under which load/run id a row was written, not what it says.
VOLATILE_COLUMNS = {"load_id", "reference_loads", "run_id"}
# Keys of JSON summaries that say how long a step took.
VOLATILE_KEYS = {"core.analysis_run": ("summary", "seconds")}


def _cli(*args: str, env: dict[str, str], timeout: int = 600) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).parent / "edu-quality"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "edu_quality"]
    run = subprocess.run([*cmd, *args], capture_output=True, text=True, env=env, timeout=timeout)
    assert run.returncode == 0, f"edu-quality {' '.join(args)}:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
    return run


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Database:
    """A database of its own in the session's embedded PostgreSQL."""

    def __init__(self, server_engine, name: str):
        self.server, self.name = server_engine, name
        self._admin("drop database if exists {name} with (force)")
        self._admin("create database {name}")
        self.url = make_url(str(server_engine.url.render_as_string(hide_password=False))).set(
            drivername="postgresql", database=name).render_as_string(hide_password=False)
        self.engine = create_engine(make_url(self.url).set(drivername="postgresql+psycopg2"))

    def _admin(self, statement: str) -> None:
        with self.server.execution_options(isolation_level="AUTOCOMMIT").connect() as conn:
            conn.execute(text(statement.format(name=self.name)))

    def drop(self) -> None:
        self.engine.dispose()
        self._admin("drop database if exists {name} with (force)")


def _digest(engine, output: Path) -> dict[str, list[dict]]:
    """Every core table and mart view with a `year` column: its rows for YEARS, without load ids, run
    ids and write times, with the output folder written as <output>; rows sorted."""
    with engine.connect() as conn:
        columns = conn.execute(text(
            "select c.table_schema || '.' || c.table_name as relation, "
            "       array_agg(c.column_name::text order by c.ordinal_position) as names "
            "from information_schema.columns c "
            "where c.table_schema in ('core', 'mart') and c.data_type <> 'timestamp with time zone' "
            "  and c.table_name in (select table_name from information_schema.columns "
            "                       where table_schema = c.table_schema and column_name = 'year') "
            "group by 1 order by 1")).all()
        digest = {}
        for relation, names in columns:
            kept = [n for n in names if n not in VOLATILE_COLUMNS]
            column, key = VOLATILE_KEYS.get(relation, (None, None))
            selected = [f"({n} - '{key}')::text" if n == column else f"{n}::text" for n in kept]
            rows = conn.execute(text(f"select {', '.join(selected)} from {relation} where year = any(:years)"),
                                {"years": list(YEARS)}).all()
            if relation == "core.document":  # a .docx is a zip whose entries carry the time they were written
                fmt, sha = kept.index("format"), kept.index("sha256")
                rows = [tuple("<zip>" if i == sha and r[fmt] == "docx" else v for i, v in enumerate(r))
                        for r in rows]
            digest[relation] = [dict(zip(kept, r)) for r in sorted(
                tuple(None if v is None else v.replace(str(output), "<output>") for v in r) for r in rows)]
    return digest


def _documents(output: Path) -> dict[str, object]:
    """Every file written for YEARS: its bytes (a .docx: its zip entries' bytes, the entries' times
    are when it was written), with the output folder written as <output> in the run summary."""
    files: dict[str, object] = {}
    for year in YEARS:
        for path in sorted((output / str(year)).rglob("*")):
            if not path.is_file():
                continue
            key = path.relative_to(output).as_posix()
            if path.suffix == ".docx":
                with zipfile.ZipFile(path) as z:
                    files[key] = {n: z.read(n) for n in sorted(z.namelist())}
            elif path.name == "run_summary.json":
                files[key] = path.read_text(encoding="utf-8").replace(str(output), "<output>")
            else:
                files[key] = path.read_bytes()
    return files


class _Scheduler:
    """api-server and scheduler (LocalExecutor: in Airflow 3 tasks reach the metadata DB only through
    the api-server, so SQLite serves) in an Airflow home of their own, each in its own session so it
    is stopped with everything it started. `dags reserialize` stores the DAGs, so no dag-processor is
    needed; only the backfill's runs are scheduled."""

    def __init__(self, root: Path, warehouse_url: str):
        port = _free_port()
        self.home = root / "airflow"
        self.logs = root / "logs"
        self.logs.mkdir(parents=True)
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
        self.env.update({
            "WAREHOUSE_URL": warehouse_url,
            "AIRFLOW_HOME": str(self.home),
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            # Nothing but the backfill: no cron or catch-up runs, every DAG paused but the one unpaused.
            "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(port),
            "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{port}/",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
            # Shared by the components, or the api-server rejects the tokens the scheduler gives tasks.
            "AIRFLOW__API_AUTH__JWT_SECRET": os.urandom(24).hex(),
            "AIRFLOW__API__SECRET_KEY": os.urandom(24).hex(),
        })
        self.port = port
        self.procs: list[tuple[str, subprocess.Popen]] = []

    def cli(self, *args: str) -> subprocess.CompletedProcess:
        return _cli("airflow", *args, env=self.env)

    def start(self, name: str, *args: str) -> None:
        exe = Path(sys.executable).parent / "edu-quality"
        log = (self.logs / f"{name}.log").open("w")
        proc = subprocess.Popen([str(exe), "airflow", *args], env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        self.procs.append((name, proc))

    def wait_until(self, what: str, check, limit: float) -> None:
        deadline = time.monotonic() + limit
        while not check():
            for name, proc in self.procs:
                assert proc.poll() is None, f"{name} exited ({proc.returncode}) waiting for {what}:\n{self.tail()}"
            assert time.monotonic() < deadline, f"timed out waiting for {what}:\n{self.tail()}"
            time.sleep(2)

    def api_ready(self) -> bool:
        import urllib.request

        try:
            urllib.request.urlopen(f"http://127.0.0.1:{self.port}/api/v2/version", timeout=3).read()
            return True
        except OSError:
            return False

    def runs(self) -> list[tuple]:
        with sqlite3.connect(self.home / "airflow.db") as db:
            return db.execute("select run_id, logical_date, state, run_type, start_date, end_date from dag_run "
                              "where dag_id = ? order by logical_date", (DAG_ID,)).fetchall()

    def failed_tasks(self) -> list[tuple]:
        with sqlite3.connect(self.home / "airflow.db") as db:
            return db.execute("select run_id, task_id, map_index from task_instance where dag_id = ? "
                              "and state in ('failed', 'upstream_failed')", (DAG_ID,)).fetchall()

    def tail(self, lines: int = 25) -> str:
        out = []
        for path in sorted(self.logs.glob("*.log")):
            out.append(f"----- {path.name}\n" + "\n".join(path.read_text(errors="replace").splitlines()[-lines:]))
        return "\n".join(out)

    def stop(self) -> None:
        """Newest first; SIGTERM to each process group, SIGKILL after 30 s."""
        for _, proc in reversed(self.procs):
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


@pytest.fixture(scope="module")
def inbox(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("backfill") / "inbox"
    for year in YEARS:  # the same seed: the same region, with this year's and last year's results
        generate(year, root, seed=11, schools=4, municipalities=2, students_per_class=5)
        # Fewer files, fewer task processes: two ВПР works and one ГИА file of each year are enough.
        for folder, keep in (("vpr", 2), ("gia", 1)):
            for extra in sorted((root / str(year) / folder).iterdir())[keep:]:
                extra.unlink()
    return root


@pytest.fixture(scope="module")
def backfilled(tmp_path_factory, warehouse, inbox):
    """The years run by an Airflow backfill under a scheduler; its database's digest and documents."""
    root = tmp_path_factory.mktemp("scheduler")
    database = _Database(warehouse, "edu_quality_backfill")
    output = root / "output"
    scheduler = _Scheduler(root, database.url)
    started = time.monotonic()
    try:
        scheduler.cli("dags", "reserialize")
        scheduler.cli("dags", "unpause", DAG_ID)
        # No `year`: each run takes the campaign of its logical date. One run at a time, in date order
        # (a year's results compare with the year before), as `edu-quality run` does them one by one.
        # Created before the scheduler starts: SQLite has one writer, and a starting scheduler holds it
        # long enough for the backfill's insert to fail with "database is locked" (a CI run did).
        conf = {"inbox": str(inbox), "output": str(output), "issued_on": ISSUED_ON}
        scheduler.cli("backfill", "create", "--dag-id", DAG_ID, "--from-date", FROM_DATE, "--to-date", TO_DATE,
                      "--max-active-runs", "1", "--dag-run-conf", json.dumps(conf))
        scheduler.start("api-server", "api-server", "--host", "127.0.0.1", "--port", str(scheduler.port),
                        "--workers", "1")
        scheduler.wait_until("the api-server", scheduler.api_ready, 180)
        scheduler.start("scheduler", "scheduler")
        scheduler.wait_until(
            "the backfill's runs",
            lambda: len(scheduler.runs()) == len(YEARS) and all(
                r[2] in ("success", "failed") for r in scheduler.runs()), RUN_TIMEOUT)
        runs = scheduler.runs()
        assert [r[2] for r in runs] == ["success"] * len(YEARS), \
            f"{runs}\nfailed tasks: {scheduler.failed_tasks()}\n{scheduler.tail()}"
        with open(scheduler.logs / "scheduler.log") as log:
            executor_line = next((line for line in log if "Loaded executor" in line), "")
        yield {"runs": runs, "digest": _digest(database.engine, output), "documents": _documents(output),
               "executor": executor_line, "seconds": time.monotonic() - started}
    finally:
        scheduler.stop()
        database.drop()


@pytest.fixture(scope="module")
def fresh(tmp_path_factory, warehouse, inbox):
    """The same years by `edu-quality run --year Y` (an `airflow dags test`), in a database of their own."""
    root = tmp_path_factory.mktemp("fresh")
    database = _Database(warehouse, "edu_quality_fresh")
    output = root / "output"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env["WAREHOUSE_URL"] = database.url
    try:
        for year in YEARS:
            _cli("run", "--year", str(year), "--inbox", str(inbox), "--output", str(output),
                 "--issued-on", ISSUED_ON, env=env, timeout=900)
        yield {"digest": _digest(database.engine, output), "documents": _documents(output)}
    finally:
        database.drop()


def test_backfill_runs_each_past_year_once_on_the_scheduler(backfilled):
    runs = backfilled["runs"]
    assert [r[3] for r in runs] == ["backfill"] * len(YEARS)
    assert [date.fromisoformat(r[1][:10]) for r in runs] == [date(y, 12, 1) for y in YEARS]
    assert all(earlier[5] <= later[4] for earlier, later in zip(runs, runs[1:]))  # one after the other
    assert "LocalExecutor" in backfilled["executor"]
    digest = backfilled["digest"]
    # No `year` in the conf: each run took its year from its logical date, and finished it.
    assert {int(r["year"]) for r in digest["core.cycle_run"]} == set(YEARS)
    loaded = {(int(r["year"]), r["source"]) for r in digest["mart.load_log"] if r["status"] == "loaded"}
    assert {(y, s) for y in YEARS for s in ("schools", "vpr", "gia", "self_evaluation")} <= loaded, loaded


def test_backfill_gives_the_warehouse_of_fresh_runs(backfilled, fresh):
    left, right = backfilled["digest"], fresh["digest"]
    assert sorted(left) == sorted(right)
    assert sum(len(rows) for rows in left.values()) > 1000  # it compares something
    differing = {}
    for relation in left:
        if left[relation] != right[relation]:
            only_backfill = [r for r in left[relation] if r not in right[relation]]
            only_fresh = [r for r in right[relation] if r not in left[relation]]
            differing[relation] = {"backfill only": only_backfill[:3], "fresh only": only_fresh[:3],
                                   "rows": (len(left[relation]), len(right[relation]))}
    assert differing == {}


def test_backfill_gives_the_documents_of_fresh_runs(backfilled, fresh):
    left, right = backfilled["documents"], fresh["documents"]
    for year in YEARS:
        assert f"{year}/index.html" in left
        # 4 schools of the region, and the 6 extra reference rows the generator breaks in a non-key cell:
        # their schools are kept (the contract), so they get documents too.
        assert sum(1 for k in left if k.startswith(f"{year}/") and k.endswith("_рекомендации.pdf")) == 4 + 6
    assert sorted(left) == sorted(right)
    assert [name for name in left if left[name] != right[name]] == []
