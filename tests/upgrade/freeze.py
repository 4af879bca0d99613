"""Freeze a release's warehouse for the upgrade test: run on the release's own checkout, at its tag.

    .venv/bin/python -m tests.upgrade.freeze          # writes tests/upgrade/release-<version>/

A throwaway PostgreSQL (its own folder and socket) gets the release's migrations and one small year through
the whole cycle (the reliability tests' inbox: every kind of source, planted bad rows); the folder keeps
that inbox, the plain-SQL dump of the database (schema, data, grants; no owners) and what the release was.
tests/upgrade/test_upgrade.py restores it, migrates it with the current code and compares it with a fresh
install. CHANGELOG.md names the release and its migrations; releasing is: bump the version, freeze, commit.
"""
from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
from importlib.metadata import version
from pathlib import Path

HERE = Path(__file__).resolve().parent
# The frozen year's participant codes are hashed with this key; the test runs both sides with it.
HASH_KEY = "upgrade-test-key-not-a-secret"


def freeze(out: Path) -> Path:
    from edu_quality.warehouse.migrations import migration_files
    from tests.reliability.support import ISSUED_ON, YEAR, ThrowawayPostgres, make_inbox, run_cycle

    release = version("edu-quality")
    target = out / f"release-{release}"
    work = Path(tempfile.mkdtemp(prefix="edu-quality-freeze-"))
    server = ThrowawayPostgres()
    try:
        server.start()
        os.environ["EDU_QUALITY_HASH_KEY"] = HASH_KEY
        inbox = make_inbox(work / "inbox")
        done = run_cycle(server.url, inbox, work / "output")
        assert done.returncode == 0, done.stderr[-3000:]
        # The pg_dump beside the psql the test restores with (pgserver's): a newer one writes meta-commands
        # (`\restrict`) an older psql does not know.
        from pgserver._commands import POSTGRES_BIN_PATH

        dump = subprocess.run([str(Path(POSTGRES_BIN_PATH) / "pg_dump"), "--no-owner", "--dbname", server.url],
                              capture_output=True, check=True)
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(inbox, target / "inbox")
        with gzip.GzipFile(target / "warehouse.sql.gz", "wb", mtime=0) as f:
            f.write(dump.stdout)
        (target / "release.json").write_text(json.dumps({
            "version": release, "year": YEAR, "issued_on": ISSUED_ON,
            "migrations": [path.name for _, path in migration_files()],
            "postgres": server.version()}, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    finally:
        server.remove()
        shutil.rmtree(work, ignore_errors=True)
    return target


if __name__ == "__main__":
    print(freeze(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE))
