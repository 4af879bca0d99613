"""Assets: a late file of one source updates that source's asset only, Airflow queues the outputs DAG
for it, and an unchanged file updates nothing."""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from sample_region import generate

pytestmark = pytest.mark.e2e
YEAR = 2027


def _airflow(*args: str) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).parent / "edu-quality"
    run = subprocess.run([str(exe), "airflow", *args], capture_output=True, text=True, env=dict(os.environ),
                         timeout=600)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return run


def _events(home: Path) -> list[tuple[str, dict]]:
    with sqlite3.connect(home / "airflow" / "airflow.db") as db:
        rows = db.execute("select a.name, e.extra from asset_event e join asset a on a.id = e.asset_id "
                          "order by e.id").fetchall()
    return [(name, json.loads(extra or "{}")) for name, extra in rows]


def _queued(home: Path) -> set[tuple[str, str]]:
    with sqlite3.connect(home / "airflow" / "airflow.db") as db:
        return set(db.execute("select a.name, q.target_dag_id from asset_dag_run_queue q "
                              "join asset a on a.id = q.asset_id").fetchall())


def test_late_file_updates_only_its_asset_and_queues_the_outputs(tmp_path, home, warehouse):
    inbox = tmp_path / "inbox"
    generate(YEAR, inbox, seed=5, schools=10, municipalities=2, students_per_class=6)
    conf = json.dumps({"year": YEAR, "inbox": str(inbox)})
    _airflow("dags", "reserialize")
    _airflow("dags", "test", "ingest_schools", "--conf", conf)
    before = len(_events(home))

    _airflow("dags", "test", "ingest_self_evaluation", "--conf", conf)
    new = _events(home)[before:]
    assert [name for name, _ in new] == ["edu_quality.self_evaluation"]
    assert new[0][1]["year"] == YEAR and new[0][1]["file"] == "self_evaluation.csv"
    assert ("edu_quality.self_evaluation", "refresh_year_outputs") in _queued(home)

    # The same file again: skipped, no event, nothing downstream to rerun.
    _airflow("dags", "test", "ingest_self_evaluation", "--conf", conf)
    assert len(_events(home)) == before + 1

    # The queued outputs DAG, run for that year, computes from what is loaded: indicators of the
    # self-evaluation for every school loaded, none of ВПР (no ВПР file was loaded), and the year's documents.
    with warehouse.connect() as conn:
        assert conn.execute(text("select count(*) from core.indicator_value where year = :y"),
                            {"y": YEAR}).scalar_one() == 0
    output = tmp_path / "output"
    _airflow("dags", "test", "refresh_year_outputs", "--conf", json.dumps({"year": YEAR, "output": str(output)}))
    with warehouse.connect() as conn:
        by_source = dict(conn.execute(text(
            "select split_part(indicator_code, '_', 1), count(distinct unit_code) from mart.indicator_values "
            "where year = :y and level = 'school' and value is not null group by 1"), {"y": YEAR}).all())
        schools = conn.execute(text("select count(distinct school_code) from core.self_evaluation where year = :y"),
                               {"y": YEAR}).scalar_one()
        documents = conn.execute(text("select count(*) from core.document where year = :y and format = 'pdf'"),
                                 {"y": YEAR}).scalar_one()
    assert schools >= 5 and by_source.get("se") == schools, (by_source, schools)
    assert "vpr" not in by_source and "oge" not in by_source
    assert documents >= schools
    assert (output / str(YEAR) / "index.html").is_file()
