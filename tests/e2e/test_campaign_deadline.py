"""The 1 February deadline, enforced by the `campaign_deadline_watch` DAG run through Airflow: it
fires (the run fails with the alert) when the cycle is late and stays silent when it is not."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from edu_quality.pipeline.campaign import campaign_year, evaluate

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("today,finished,status", [
    (date(2031, 12, 10), None, "on_track"),
    (date(2032, 1, 20), None, "at_risk"),
    (date(2032, 2, 1), None, "missed"),
    (date(2032, 2, 2), date(2032, 1, 15), "finished"),
    (date(2032, 2, 2), date(2032, 2, 1), "missed"),       # finished on the deadline day: too late
    (date(2032, 1, 10), date(2032, 1, 15), "on_track"),   # as of a day before it finished
])
def test_deadline_states(today, finished, status):
    state = evaluate(2031, today, finished)
    assert state.status == status
    assert state.deadline == date(2032, 2, 1)
    assert state.fires == (status == "missed")


def test_campaign_year_turns_in_september():
    assert campaign_year(date(2032, 1, 31)) == 2031
    assert campaign_year(date(2031, 9, 1)) == 2031
    assert campaign_year(date(2031, 8, 31)) == 2030


def _watch(logical_date: str) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).parent / "edu-quality"
    return subprocess.run([str(exe), "airflow", "dags", "test", "campaign_deadline_watch", logical_date],
                          capture_output=True, text=True, env=dict(os.environ), timeout=600)


def _status(engine, year: int, day: str):
    with engine.connect() as conn:
        return conn.execute(text("select status, message_ru from mart.campaign_deadline "
                                 "where year = :y and checked_on = :d"), {"y": year, "d": day}).one()


def test_watch_fires_for_a_late_campaign_and_stays_silent_otherwise(warehouse):
    with warehouse.begin() as conn:
        conn.execute(text("delete from core.cycle_run where year in (2036, 2037)"))
        conn.execute(text("insert into core.cycle_run (year, run_id, finished_at, summary) "
                          "values (2036, 'test', :t, '{}')"), {"t": datetime(2036, 12, 5, tzinfo=UTC)})
    on_time = _watch("2037-01-10")  # campaign 2036, finished 5 December 2036
    assert on_time.returncode == 0, on_time.stdout[-2000:] + on_time.stderr[-2000:]
    assert _status(warehouse, 2036, "2037-01-10").status == "finished"

    late = _watch("2038-02-02")  # campaign 2037: nothing finished by 1 February 2038
    assert late.returncode != 0
    status, message = _status(warehouse, 2037, "2038-02-02")
    assert status == "missed"
    assert "СРОК ПРОПУЩЕН" in message and "01.02.2038" in message
    assert "СРОК ПРОПУЩЕН" in late.stdout + late.stderr  # the alert is in the run's log
