"""The campaign deadline: the monitoring of year Y's results closes before 1 February of Y + 1.

Airflow enforces it with a daily watch DAG rather than `DeadlineAlert` on the cycle itself: the
watch fires (fails, which triggers the failure callback and any configured e-mail) once the deadline
has passed with no finished cycle, warns in the last days, and stays silent otherwise. Its state is
kept in the warehouse (mart.campaign_deadline), so it is the same under the scheduler, in
`airflow dags test` and in a backfill.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from sqlalchemy import text
from sqlalchemy.engine import Engine

WARN_DAYS = 14  # «at risk» this many days before the deadline when the cycle has not finished


def deadline_for(year: int) -> date:
    return date(year + 1, 2, 1)


def campaign_year(today: date) -> int:
    """The results year whose campaign is open on `today` (September starts a new one)."""
    return today.year if today.month >= 9 else today.year - 1


def run_day(context) -> date:
    """The day an Airflow run stands for: its logical date, or when it runs (manual runs have none)."""
    return (context.get("logical_date") or context["dag_run"].run_after).date()


def run_year(context) -> int:
    """The results year of a run: the `year` param when given, else the campaign open on its day."""
    year = context["params"].get("year")
    return int(year) if year else campaign_year(run_day(context))


@dataclass(frozen=True)
class DeadlineState:
    year: int
    checked_on: date
    deadline: date
    days_left: int
    status: str        # finished | on_track | at_risk | missed
    message_ru: str

    @property
    def fires(self) -> bool:
        return self.status == "missed"


def evaluate(year: int, today: date, finished_on: date | None) -> DeadlineState:
    deadline = deadline_for(year)
    days_left = (deadline - today).days
    if finished_on is not None and finished_on > today:
        finished_on = None  # checked as of a day before the cycle finished
    if finished_on is not None and finished_on < deadline:
        status, message = "finished", (f"Цикл мониторинга за {year} год завершён {finished_on:%d.%m.%Y}, "
                                       f"до срока {deadline:%d.%m.%Y}.")
    elif today >= deadline:
        late = "завершён после срока" if finished_on else "не завершён"
        status, message = "missed", (f"СРОК ПРОПУЩЕН: цикл мониторинга за {year} год {late}; срок — "
                                     f"до {deadline:%d.%m.%Y}. Требуется решение ответственного за мониторинг.")
    elif days_left <= WARN_DAYS:
        status, message = "at_risk", (f"До срока {deadline:%d.%m.%Y} осталось {days_left} дн., "
                                      f"цикл мониторинга за {year} год ещё не завершён.")
    else:
        status, message = "on_track", f"До срока {deadline:%d.%m.%Y} осталось {days_left} дн."
    return DeadlineState(year, today, deadline, days_left, status, message)


def finished_on(engine: Engine, year: int) -> date | None:
    with engine.connect() as conn:
        value = conn.execute(text("select min(finished_at) from core.cycle_run where year = :y"),
                             {"y": year}).scalar_one()
    return value.date() if value else None


def record_check(engine: Engine, state: DeadlineState) -> None:
    with engine.begin() as conn:
        conn.execute(text(
            "insert into core.deadline_check (year, checked_on, deadline, days_left, status, message_ru) "
            "values (:y, :c, :d, :n, :s, :m) on conflict (year, checked_on) do update set "
            "days_left = excluded.days_left, status = excluded.status, message_ru = excluded.message_ru"),
            {"y": state.year, "c": state.checked_on, "d": state.deadline, "n": state.days_left,
             "s": state.status, "m": state.message_ru})


def record_cycle_run(engine: Engine, year: int, run_id: str, summary: dict) -> None:
    with engine.begin() as conn:
        conn.execute(text(
            "insert into core.cycle_run (year, run_id, summary) values (:y, :r, cast(:s as jsonb)) "
            "on conflict (year, run_id) do update set finished_at = now(), summary = excluded.summary"),
            {"y": year, "r": run_id, "s": json.dumps(summary, ensure_ascii=False)})
