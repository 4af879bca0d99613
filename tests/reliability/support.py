"""What the reliability tests share: a small inbox, private databases, the cycle in a subprocess that can
be killed, fingerprints of the warehouse and the documents, and a throwaway PostgreSQL server."""
from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

from edu_quality.config import PATHS
from edu_quality.warehouse.connection import sqlalchemy_url

# The sample generator takes years 2000–2099 only, and dates after today are quarantined, so the
# reliability runs use a past year; each run has a private database (never the session's shared one, so no
# other test's year is touched).
YEAR = 2017
ISSUED_ON = "2017-11-20"
# Files of the generated region kept for these tests: every kind of source the indicators, the analysis
# and the documents use, the planted bad rows in them, and few enough files for a run of seconds.
KEEP = ("schools.csv", "vpr_scales.csv", "gia_thresholds.csv", f"vpr/vpr_{YEAR}_4_mat.csv", f"vpr/vpr_{YEAR}_5_rus.csv",
        f"vpr/vpr_{YEAR}_8_mat.csv", f"gia/oge_{YEAR}.csv", "self_evaluation.csv", "teachers.csv")
RUN_TIMEOUT = 240


def make_inbox(root: Path) -> Path:
    from sample_region import generate

    generate(YEAR, root, seed=17, schools=8, municipalities=2, students_per_class=8)
    year_dir = root / str(YEAR)
    for path in sorted(year_dir.rglob("*")):
        if path.is_file() and path.relative_to(year_dir).as_posix() not in KEEP:
            path.unlink()
    assert sorted(p.relative_to(year_dir).as_posix() for p in year_dir.rglob("*") if p.is_file()) == sorted(KEEP)
    return root


# --- private databases on a server ----------------------------------------------------------------------

def database_url(server_url: str, name: str) -> str:
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def create_database(admin: Engine, name: str, template: str | None = None) -> None:
    """CREATE DATABASE (from a template when given; it must have no sessions, so wait for the last ones
    of a finished subprocess to go)."""
    sql = f'create database "{name}"' + (f' template "{template}"' if template else "")
    deadline = time.monotonic() + 30
    while True:
        try:
            with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text(sql))
            return
        except Exception as exc:
            if "is being accessed by other users" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def drop_database(admin: Engine, name: str) -> None:
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'drop database if exists "{name}" with (force)'))


def unique_name(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:8]}"


# --- the cycle in a subprocess --------------------------------------------------------------------------

@dataclass
class Finished:
    returncode: int
    stdout: str
    stderr: str


def start_cycle(url: str, inbox: Path, output: Path, failpoint: str | None = None, mark: Path | None = None,
                until: str | None = None) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EDU_QUALITY_FAILPOINT")}
    env["WAREHOUSE_URL"] = url
    if failpoint:
        env["EDU_QUALITY_FAILPOINT"] = failpoint
    if mark:
        env["EDU_QUALITY_FAILPOINT_MARK"] = str(mark)
    cmd = [sys.executable, "-m", "tests.reliability.cycle", "--year", str(YEAR), "--inbox", str(inbox),
           "--output", str(output), "--issued-on", ISSUED_ON] + (["--until", until] if until else [])
    # Output to files, not pipes: the workers a killed run leaves behind would hold a pipe open.
    logs = Path(tempfile.mkdtemp(prefix="edu-quality-run-"))
    with (logs / "stdout").open("w") as out, (logs / "stderr").open("w") as err:
        # Its own process group: what the run started (document workers) dies with it, as on a lost machine.
        proc = subprocess.Popen(cmd, cwd=PATHS.root, env=env, stdout=out, stderr=err, text=True,
                                start_new_session=True)
    proc.logs = logs  # type: ignore[attr-defined]
    return proc


def finish(proc: subprocess.Popen, timeout: float = RUN_TIMEOUT) -> Finished:
    try:
        proc.wait(timeout=timeout)
    finally:
        try:  # children left behind by a killed run (its document workers): the rest of the crash
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
    logs: Path = proc.logs  # type: ignore[attr-defined]
    done = Finished(proc.returncode, (logs / "stdout").read_text(), (logs / "stderr").read_text())
    shutil.rmtree(logs, ignore_errors=True)
    return done


def run_cycle(url: str, inbox: Path, output: Path, **kwargs) -> Finished:
    return finish(start_cycle(url, inbox, output, **kwargs))


def wait_for_mark(mark: Path, proc: subprocess.Popen, timeout: float = RUN_TIMEOUT) -> str:
    deadline = time.monotonic() + timeout
    while not (mark.exists() and mark.read_text().strip()):
        if proc.poll() is not None:
            raise AssertionError(f"the run ended ({proc.returncode}) before its failpoint: "
                                 f"{(proc.logs / 'stderr').read_text()[-3000:]}")  # type: ignore[attr-defined]
        if time.monotonic() > deadline:
            raise AssertionError("the run never reached its failpoint")
        time.sleep(0.05)
    return mark.read_text().strip()


# --- fingerprints ---------------------------------------------------------------------------------------

# Differ between two runs that did the same thing: ids, times, where the output folder was.
VOLATILE = {"load_id", "loaded_at", "written_at", "finished_at", "applied_at", "reference_loads", "seen_at"}


def warehouse_digest(url: str, output: Path) -> dict[str, str]:
    """Per core table and mart view, a hash of its rows (sorted; volatile columns left out)."""
    engine = create_engine(sqlalchemy_url(url))
    digests = {}
    try:
        with engine.connect() as conn:
            relations = conn.execute(text(
                "select table_schema, table_name from information_schema.tables "
                "where table_schema in ('core', 'mart') order by 1, 2")).all()
            for schema, table in relations:
                columns = conn.execute(text(
                    "select column_name from information_schema.columns where table_schema = :s "
                    "and table_name = :t order by ordinal_position"), {"s": schema, "t": table}).scalars().all()
                exprs = []
                for c in columns:
                    if c in VOLATILE:
                        continue
                    if c == "path":
                        exprs.append(f"replace({c}, :out, '<output>')")
                    elif (schema, table, c) == ("core", "document", "sha256"):  # a DOCX zip: see documents_digest
                        exprs.append(f"case when format = 'docx' then 'docx' else {c} end")
                    elif (schema, table, c) == ("core", "analysis_run", "summary"):
                        exprs.append(f"({c} - 'seconds')::text")
                    else:
                        exprs.append(f"{c}::text")
                rows = conn.execute(text(f"select array[{', '.join(exprs)}] from {schema}.{table}"),
                                    {"out": str(output)}).scalars().all()
                digest = hashlib.sha256()
                for row in sorted(repr(r) for r in rows):
                    digest.update(row.encode())
                digests[f"{schema}.{table}"] = f"{len(rows)} rows {digest.hexdigest()[:16]}"
    finally:
        engine.dispose()
    return digests


def documents_digest(output: Path) -> dict[str, str]:
    """Every file of the year's output folder: its bytes' hash (a DOCX: its parts', as the zip stamps
    each part with the time it was written)."""
    found = {}
    for path in sorted((output / str(YEAR)).rglob("*")):
        if not path.is_file():
            continue
        digest = hashlib.sha256()
        if path.suffix == ".docx":
            with zipfile.ZipFile(path) as z:
                for info in sorted(z.infolist(), key=lambda i: i.filename):
                    digest.update(info.filename.encode() + b"\0" + z.read(info) + b"\0")
        else:
            digest.update(path.read_bytes())
        found[path.relative_to(output).as_posix()] = digest.hexdigest()
    return found


# --- a throwaway PostgreSQL server ----------------------------------------------------------------------

def _server_binaries() -> Path:
    """Debian's PostgreSQL 15 when installed (so the migrations are proven on a second major version),
    else the PostgreSQL 16 that pgserver bundles."""
    for version in ("15", "16", "17"):
        path = Path(f"/usr/lib/postgresql/{version}/bin")
        if (path / "pg_ctl").exists():
            return path
    from pgserver._commands import POSTGRES_BIN_PATH

    return Path(POSTGRES_BIN_PATH)


class ThrowawayPostgres:
    """A PostgreSQL server of its own in a temporary folder, on a Unix socket only: this test may stop it
    under a running cycle without touching the session's server."""

    def __init__(self) -> None:
        self.bin = _server_binaries()
        self.dir = Path(tempfile.mkdtemp(prefix="edu-quality-pg-"))
        self.data = self.dir / "data"
        self.log = self.dir / "server.log"
        self.prefix: list[str] = []
        if os.geteuid() == 0:  # initdb and postgres refuse root: run them as an unprivileged system user
            import pwd

            user = next(u for u in ("postgres", "pgserver") if _user_exists(u))
            pw = pwd.getpwnam(user)
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
            self.prefix = ["runuser", "-u", user, "--"]
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
                  "--encoding=UTF8", "--locale=C.UTF-8")
        self.url = f"postgresql://postgres@/postgres?host={self.dir}"

    def _run(self, *cmd: str) -> None:
        done = subprocess.run([*self.prefix, *cmd], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr

    def start(self) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w", "-o",
                  f"-k {self.dir} -c listen_addresses='' -c fsync=off", "start")

    def stop(self, mode: str = "fast") -> None:
        """`fast`: the server ends every session (rolling back their transactions) and shuts down."""
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def version(self) -> str:
        return self.bin.parent.name if self.bin.parent.name.isdigit() else "16 (pgserver)"

    def remove(self) -> None:
        try:
            self.stop("immediate")
        except AssertionError:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)


def _user_exists(name: str) -> bool:
    import pwd

    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False
