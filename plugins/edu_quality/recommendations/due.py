"""Due dates of recommendations and plans: a number of months after the results are sent, moved off
weekends and public holidays to the next working day (ст. 193 ГК РФ) by the Russian production calendar:
the holidays of ст. 112 ТК РФ and each year's transfers of days off (include/recommendations/
production_calendar.yaml, naming the government resolution of the year)."""
from __future__ import annotations

import calendar
from datetime import date, timedelta
from functools import cache

import yaml

from edu_quality.config import PATHS

CALENDAR = PATHS.root / "include" / "recommendations" / "production_calendar.yaml"
# Нерабочие праздничные дни, ст. 112 ТК РФ: (month, day).
HOLIDAYS = {(1, d) for d in range(1, 9)} | {(2, 23), (3, 8), (5, 1), (5, 9), (6, 12), (11, 4)}
LABOUR_CODE_RU = "ст. 112 Трудового кодекса РФ"


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@cache
def transfers() -> dict[int, dict]:
    data = yaml.safe_load(CALENDAR.read_text(encoding="utf-8")) or {}
    return {int(year): {"resolution_ru": v.get("resolution_ru"), "days_off": set(v.get("days_off") or ()),
                        "working_days": set(v.get("working_days") or ())} for year, v in data.items()}


def working(day: date) -> bool:
    year = transfers().get(day.year, {})
    if day in year.get("working_days", ()):
        return True
    return day.weekday() < 5 and (day.month, day.day) not in HOLIDAYS and day not in year.get("days_off", ())


def next_working_day(day: date) -> date:
    while not working(day):
        day += timedelta(days=1)
    return day


def due_date(issued_on: date, months: int) -> date:
    """`months` after `issued_on`, on a working day."""
    return next_working_day(add_months(issued_on, months))


def calendar_ru(years) -> str:
    """Which calendar the due dates of `years` follow, for the document."""
    named = [transfers()[y]["resolution_ru"] for y in sorted(set(years)) if transfers().get(y, {}).get("resolution_ru")]
    return "; ".join([LABOUR_CODE_RU, *named])
