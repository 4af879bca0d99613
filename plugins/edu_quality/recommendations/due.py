"""Due dates of recommendations and plans."""
from __future__ import annotations

import calendar
from datetime import date


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
