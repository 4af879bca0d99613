"""Choosing targeted recommendations from the methodologists' YAML catalogue and storing them in
core.recommendation (mart.recommendations) with their basis and due date."""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml
from sqlalchemy import text
from sqlalchemy.engine import Engine

from edu_quality.config import PATHS

CATALOGUE = PATHS.root / "include" / "recommendations" / "catalogue.yaml"
LEVEL_RU = {"risk_high": "высокого риска", "risk_medium": "среднего риска"}


@dataclass(frozen=True)
class Rule:
    code: str
    addressee: str
    indicator: str
    level: str
    text_ru: str
    due_months: int


def load_rules(path: Path = CATALOGUE) -> list[Rule]:
    items = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return [Rule(i["code"], i["addressee"], i["when"]["indicator"], i["when"]["level"],
                 " ".join(i["text_ru"].split()), int(i.get("due_months", 1))) for i in items]


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def risk_level(value: float | None, polarity: str, thresholds: dict) -> str | None:
    """The worst threshold the value is past, on the bad side given the indicator's polarity."""
    if value is None or polarity == "neutral":
        return None
    for level in ("risk_high", "risk_medium"):
        limit = thresholds.get(level)
        if limit is None:
            continue
        if (polarity == "lower_better" and value >= limit) or (polarity == "higher_better" and value <= limit):
            return level
    return None


def fmt(value: float, unit: str) -> str:
    return f"{value:.1f}".replace(".", ",") + (" %" if unit == "%" else f" {unit}")


def choose(engine: Engine, year: int, issued_on: date, rules: list[Rule] | None = None) -> int:
    rules = rules if rules is not None else load_rules()
    with engine.begin() as conn:
        rows = conn.execute(text(
            "select v.unit_code, v.indicator_code, v.value, c.name_ru, c.unit, c.polarity, c.thresholds, "
            "r.value as region_value "
            "from core.indicator_value v join core.indicator c using (indicator_code) "
            "left join core.indicator_value r on r.year = v.year and r.level = 'region' "
            " and r.indicator_code = v.indicator_code "
            "where v.year = :y and v.level = 'school' order by v.unit_code, v.indicator_code"),
            {"y": year}).mappings().all()
        conn.execute(text("delete from core.recommendation where year = :y and level = 'school'"), {"y": year})
        chosen = []
        by_indicator = {}
        for r in rows:
            by_indicator.setdefault(r["indicator_code"], []).append(r)
        for rule in rules:
            for r in by_indicator.get(rule.indicator, []):
                value = None if r["value"] is None else float(r["value"])
                level = risk_level(value, r["polarity"], r["thresholds"])
                # A high-risk school gets the high-risk rule, not the medium one as well.
                if level != rule.level:
                    continue
                limit = r["thresholds"][rule.level]
                basis = (f"{r['name_ru']}: {fmt(value, r['unit'])} — в зоне {LEVEL_RU[rule.level]} "
                         f"(порог {fmt(float(limit), r['unit'])}"
                         + (f", значение по региону {fmt(float(r['region_value']), r['unit'])})"
                            if r["region_value"] is not None else ")"))
                chosen.append({"y": year, "u": r["unit_code"], "c": rule.code, "t": rule.text_ru, "b": basis,
                               "d": add_months(issued_on, rule.due_months)})
        if chosen:
            conn.execute(text(
                "insert into core.recommendation (year, level, unit_code, recommendation_code, text_ru, "
                "basis_ru, due_date) values (:y, 'school', :u, :c, :t, :b, :d)"), chosen)
    return len(chosen)
