"""Choosing targeted recommendations from the methodologists' YAML catalogue and storing them in
core.recommendation (mart.recommendations) with their basis and due date."""
from __future__ import annotations

from datetime import date

from sqlalchemy import text
from sqlalchemy.engine import Engine

from edu_quality.formatting import basis_value
from edu_quality.recommendations.catalogue import Rule, load_rules
from edu_quality.recommendations.due import due_date

LEVEL_RU = {"risk_high": "высокого риска", "risk_medium": "среднего риска"}
STATUS_RU = {"low_results": "школа с низкими образовательными результатами",
             "unfavorable_conditions": "школа, функционирующая в неблагоприятных социальных условиях",
             "biased_results_suspected": "признаки необъективности результатов (несколько независимых сигналов)"}


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


def _indicator_rows(conn, year: int, level: str) -> dict[str, list]:
    rows = conn.execute(text(
        "select v.unit_code, v.indicator_code, v.value, c.name_ru, c.unit, c.polarity, c.thresholds, "
        "r.value as region_value "
        "from core.indicator_value v join core.indicator c using (indicator_code) "
        "left join core.indicator_value r on r.year = v.year and r.level = 'region' "
        " and r.indicator_code = v.indicator_code "
        "where v.year = :y and v.level = :l order by v.unit_code, v.indicator_code"),
        {"y": year, "l": level}).mappings().all()
    by_indicator: dict[str, list] = {}
    for r in rows:
        by_indicator.setdefault(r["indicator_code"], []).append(r)
    return by_indicator


def _units(conn, year: int, level: str) -> list[str]:
    table = "core.school" if level == "school" else "core.municipality"
    column = "school_code" if level == "school" else "municipality_code"
    return [r[0] for r in conn.execute(text(f"select {column} from {table} where year = :y order by 1"), {"y": year})]


def _matches(conn, rule: Rule, year: int, indicators: dict) -> list[tuple[str, str]]:
    """(unit code, basis in Russian) for every addressee the rule's condition holds for."""
    when = rule.when
    if "indicator" in when:
        out = []
        for r in indicators[rule.level].get(when["indicator"], []):
            value = None if r["value"] is None else float(r["value"])
            found = risk_level(value, r["polarity"], r["thresholds"])
            # A high-risk unit gets the high-risk rule, not the medium one as well, unless the rule
            # says `at_least: true` (it applies from that level up).
            if found != when["level"] and not (when.get("at_least") and found == "risk_high"):
                continue
            limit = r["thresholds"][found]
            region = (f", значение по региону {basis_value(float(r['region_value']), r['unit'])}"
                      if r["region_value"] is not None else "")
            out.append((r["unit_code"], f"{r['name_ru']}: {basis_value(value, r['unit'])} — в зоне "
                                        f"{LEVEL_RU[found]} (порог {basis_value(float(limit), r['unit'])}{region})"))
        return out
    if "risk_factor" in when:
        return [(r.school_code, f"Фактор риска «{r.risk_factor_name_ru}»: {r.evidence_ru}") for r in conn.execute(text(
            "select school_code, risk_factor_name_ru, evidence_ru from mart.school_risk_profile "
            "where year = :y and risk_factor_code = :c and at_risk order by school_code"),
            {"y": year, "c": when["risk_factor"]})]
    if "head_direction" in when:
        return [(r.school_code, f"Мониторинг эффективности руководителя, направление «{r.direction_name_ru}»: "
                                f"{r.evidence_ru}") for r in conn.execute(text(
            "select school_code, direction_name_ru, evidence_ru from mart.head_effectiveness "
            "where year = :y and direction_code = :c and deficit order by school_code"),
            {"y": year, "c": when["head_direction"]})]
    if "status" in when:
        if when["status"] not in STATUS_RU:
            raise ValueError(f"rule {rule.code}: unknown status {when['status']}")
        return [(r[0], f"По итогам анализа: {STATUS_RU[when['status']]}.") for r in conn.execute(text(
            f"select school_code from mart.school_status where year = :y and {when['status']} order by 1"),
            {"y": year})]
    return [(unit, "Порядок управленческого цикла: результаты мониторинга рассматриваются в течение месяца.")
            for unit in _units(conn, year, rule.level)]


def choose(engine: Engine, year: int, issued_on: date, rules: list[Rule] | None = None) -> int:
    rules = rules if rules is not None else load_rules()
    with engine.begin() as conn:
        conn.execute(text("delete from core.recommendation where year = :y"), {"y": year})
        indicators = {level: _indicator_rows(conn, year, level) for level in ("school", "municipality")}
        chosen = [{"y": year, "l": rule.level, "u": unit, "c": rule.code, "t": rule.text_ru,
                   "b": f"{basis} Документ: {rule.document_ru}." if rule.document_ru else basis,
                   "d": due_date(issued_on, rule.due_months)}
                  for rule in rules for unit, basis in _matches(conn, rule, year, indicators)]
        if chosen:
            conn.execute(text(
                "insert into core.recommendation (year, level, unit_code, recommendation_code, text_ru, "
                "basis_ru, due_date) values (:y, :l, :u, :c, :t, :b, :d)"), chosen)
    return len(chosen)
