"""The warehouse server stops in the middle of a run: the run ends with one message an operator can act
on (no traceback), and once the server is back a plain rerun gives what an uninterrupted run gives.

A throwaway PostgreSQL of its own (Debian's 15 when installed, so the migrations are also proven on a
second major version), never the session's server."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, text

from edu_quality.config import PATHS
from edu_quality.warehouse.connection import sqlalchemy_url

from .support import (
    KEEP,
    ThrowawayPostgres,
    database_url,
    documents_digest,
    finish,
    run_cycle,
    start_cycle,
    wait_for_mark,
    warehouse_digest,
)

MESSAGE = "хранилище PostgreSQL недоступно или соединение с ним прервано"


def _cli(*args: str, url: str) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).parent / "edu-quality"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "edu_quality"]
    env = {**os.environ, "WAREHOUSE_URL": url}
    env.pop("EDU_QUALITY_DEBUG", None)
    return subprocess.run([*cmd, *args], capture_output=True, text=True, env=env, timeout=120, cwd=PATHS.root)


def _count(url: str, sql: str) -> int:
    engine = create_engine(sqlalchemy_url(url))
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql)).scalar_one()
    finally:
        engine.dispose()


def test_server_stopped_mid_load_then_a_clean_retry(inbox, tmp_path, reference):
    server = ThrowawayPostgres()
    try:
        server.start()
        admin = create_engine(sqlalchemy_url(server.url), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("create database edu_quality"))
        admin.dispose()
        url = database_url(server.url, "edu_quality")
        output, mark = tmp_path / "output", tmp_path / "held"

        # The fourth file's rows are in core, uncommitted, when the server shuts down under it.
        run = start_cycle(url, inbox, output, failpoint="load.before_commit:4@hold=120", mark=mark)
        wait_for_mark(mark, run)
        server.stop("fast")
        mark.unlink()  # released only now: its commit meets a server that is gone
        failed = finish(run)
        assert failed.returncode == 1, failed.stderr[-3000:]
        assert MESSAGE in failed.stderr and "повторите ту же команду" in failed.stderr
        assert "Traceback" not in failed.stderr and "Traceback" not in failed.stdout

        # The product's command line says the same while the server is down.
        cli = _cli("db", "migrate", url=url)
        assert cli.returncode == 1
        assert cli.stderr.startswith("ошибка: " + MESSAGE) and "Traceback" not in cli.stderr + cli.stdout

        server.start()
        # What the server rolled back is gone whole: three files loaded, the fourth not at all.
        assert _count(url, "select count(*) from core.load_log") == 3
        again = run_cycle(url, inbox, output)
        assert again.returncode == 0, again.stderr[-3000:]
        assert _count(url, "select count(*) from core.load_log where status = 'loaded'") == len(KEEP)
        assert warehouse_digest(url, output) == reference.warehouse
        assert documents_digest(output) == reference.documents
    finally:
        server.remove()
