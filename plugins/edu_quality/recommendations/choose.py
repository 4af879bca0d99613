"""Choosing targeted recommendations from the methodologists' YAML catalogue and storing them in
core.recommendation (mart.recommendations) with their basis and due date."""
from __future__ import annotations

from datetime import date

from sqlalchemy import text
from sqlalchemy.engine import Engine

from edu_quality.formatting import basis_value, sentence
from edu_quality.recommendations.catalogue import Rule, load_rules
from edu_quality.recommendations.due import due_date

LEVEL_RU = {"risk_high": "высокого риска", "risk_medium": "среднего риска"}
STATUS_RU = {"low_results": "школа с низкими образовательными результатами",
             "unfavorable_conditions": "школа, функционирующая в неблагоприятных социальных условиях",
             "biased_results_suspected": "признаки необъективности результатов",
             "successful_practice": "школа — носитель успешной практики"}
# The same statuses, as a municipality's count of such schools («ОО с низкими результатами: 3 — …»).
STATUS_SCHOOLS_RU = {"low_results": "ОО с низкими образовательными результатами",
                     "unfavorable_conditions": "ОО, функционирующие в неблагоприятных социальных условиях",
                     "biased_results_suspected": "ОО с признаками необъективности результатов",
                     "successful_practice": "ОО — носители успешных практик"}


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


def _indicator_matches(rule: Rule, indicators: dict) -> list[tuple[str, str]]:
    when, out = rule.when, []
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


# A condition on a school's risk factor or head's direction: the schools it holds for (with the factor's or the
# direction's name and its evidence), the school's basis, and how a municipality's count of such schools is named.
SCHOOL_CONDITIONS = {
    "risk_factor": (
        "select p.school_code, s.municipality_code, p.risk_factor_name_ru as name, p.evidence_ru "
        "from mart.school_risk_profile p join core.school s using (year, school_code) "
        "where p.year = :y and p.risk_factor_code = :c and p.at_risk order by p.school_code",
        "Фактор риска «{name}»: {evidence}", "ОО с фактором риска «{name}»"),
    "head_direction": (
        "select h.school_code, s.municipality_code, h.direction_name_ru as name, h.evidence_ru "
        "from mart.head_effectiveness h join core.school s using (year, school_code) "
        "where h.year = :y and h.direction_code = :c and h.deficit order by h.school_code",
        "Мониторинг эффективности руководителя, направление «{name}»: {evidence}",
        "ОО, руководители которых имеют дефицит по направлению «{name}»"),
}


def _school_rows(conn, rule: Rule, year: int) -> tuple[list, str]:
    """The schools a factor, status or direction condition holds for (school code, municipality code, the
    school's basis) and how a municipality's count of them is named."""
    when = rule.when
    kind = next((k for k in SCHOOL_CONDITIONS if k in when), None)
    if kind is not None:
        sql, basis, counted = SCHOOL_CONDITIONS[kind]
        rows = conn.execute(text(sql), {"y": year, "c": when[kind]}).all()
        name = rows[0].name if rows else when[kind]
        return ([(r.school_code, r.municipality_code, basis.format(name=r.name, evidence=r.evidence_ru))
                 for r in rows], counted.format(name=name))
    status = when["status"]
    rows = conn.execute(text(
        f"select school_code, municipality_code from mart.school_status where year = :y and {status} "
        "order by school_code"), {"y": year}).all()
    return ([(r.school_code, r.municipality_code, f"По итогам анализа: {STATUS_RU[status]}.") for r in rows],
            STATUS_SCHOOLS_RU[status])


def _school_condition_matches(conn, rule: Rule, year: int) -> list[tuple[str, str]]:
    rows, counted = _school_rows(conn, rule, year)
    if rule.level == "school":
        return [(school, basis) for school, _, basis in rows]
    by_municipality: dict[str, list[str]] = {}
    for school, municipality, _ in rows:
        by_municipality.setdefault(municipality, []).append(school)
    return [(m, f"{counted}: {len(codes)} ({', '.join(codes)}).") for m, codes in sorted(by_municipality.items())]


def _matches(conn, rule: Rule, year: int, indicators: dict) -> list[tuple[str, str]]:
    """(unit code, basis in Russian) for every addressee the rule's condition holds for."""
    when = rule.when
    if "indicator" in when:
        return _indicator_matches(rule, indicators)
    if any(k in when for k in ("risk_factor", "head_direction", "status")):
        return _school_condition_matches(conn, rule, year)
    if "expert_review" in when:
        return [(r.municipality_code, f"Муниципалитет отобран для углублённой экспертизы: {r.expert_review_reason_ru}.")
                for r in conn.execute(text(
                    "select municipality_code, expert_review_reason_ru from mart.municipality_status "
                    "where year = :y and expert_review_selected order by 1"), {"y": year})]
    return [(unit, "Результаты мониторинга рассматриваются в течение одного месяца после их получения.")
            for unit in _units(conn, year, rule.level)]


def choose(engine: Engine, year: int, issued_on: date, rules: list[Rule] | None = None) -> int:
    rules = rules if rules is not None else load_rules()
    with engine.begin() as conn:
        conn.execute(text("delete from core.recommendation where year = :y"), {"y": year})
        indicators = {level: _indicator_rows(conn, year, level) for level in ("school", "municipality")}
        chosen = [{"y": year, "l": rule.level, "u": unit, "c": rule.code, "t": rule.text_ru,
                   "b": f"{sentence(basis)} Документ: {rule.document_ru}." if rule.document_ru else sentence(basis),
                   "d": due_date(issued_on, rule.due_months)}
                  for rule in rules for unit, basis in _matches(conn, rule, year, indicators)]
        if chosen:
            conn.execute(text(
                "insert into core.recommendation (year, level, unit_code, recommendation_code, text_ru, "
                "basis_ru, due_date) values (:y, :l, :u, :c, :t, :b, :d)"), chosen)
    return len(chosen)
