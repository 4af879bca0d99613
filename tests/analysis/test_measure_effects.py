"""Difference in differences on a hand-made two-year case, worked out by hand.

Target of R-LOW-01 / R-LOW-02 (recommendations catalogue): vpr_share_mark_2, lower is better.
Schools, value 2018 → 2019 (change):
  DID01 30 → 20 (−10)  recommended R-LOW-01 in 2018, measure done in 2019      → treated
  DID02 25 → 19 (−6)   recommended, measure done                               → treated
  DID03 28 → 27 (−1)   recommended, measure recorded but not done             → set aside
  DID04 10 → 8  (−2)   a measure without the recommendation                   → set aside
  DID05 12 → 13 (+1)   nothing                                                → control
  DID06 15 → 14 (−1)   nothing                                                → control
  DiD = mean(−10, −6) − mean(+1, −1) = −8 − 0 = −8;  se = √(8/2 + 2/2) = √5 ≈ 2,24.
  Only DID03 got the recommendation without acting (fewer than two), so the comparison is every school without
  a measure, adjusted for the 2018 value (the treated were chosen for their high share, which falls by itself):
  change = a + β·treated + γ·before over DID01, DID02, DID05, DID06. Within the groups: treated (30, −10),
  (25, −6): Σdx·dy = −10, Σdx² = 12,5; control (12, +1), (15, −1): −3 and 4,5; γ = −13/17;
  β = (−8 − 0) − γ·(27,5 − 13,5) = −8 + 182/17 = 46/17 ≈ +2,71: adjusted, the measure did not help. Residuals
  ±1,5/17 and ±2,5/17: SSE = 17/289 = 1/17 on n − 3 = 1 degree of freedom; Var β = (1/17)·(1/2 + 1/2 + 14²/17)
  = 213/289; t = 46/√213 ≈ 3,15, p = 2·P(t₁ ≥ 3,15) ≈ 0,196: not significant (and the wrong way).
  The old z-like rule (|DiD| > 2 se) called it an improvement: that was regression to the mean.
Municipalities: MD1 recommended R-LOW-02 in 2018 and acted: 20 → 15 (−5); MD2 18 → 18 (0):
  DiD = −5; one unit per group, so no standard error and no verdict on significance.
"""
from __future__ import annotations

import math
from datetime import date

import pytest
from sqlalchemy import text

from edu_quality.analysis import analyse_year
from edu_quality.indicators.catalog import load_catalog, publish
from edu_quality.recommendations.catalogue import rule_conditions

BEFORE, AFTER = 2018, 2019
SCHOOLS = {"DID01": ("MD1", 30, 20), "DID02": ("MD1", 25, 19), "DID03": ("MD1", 28, 27), "DID04": ("MD2", 10, 8),
           "DID05": ("MD2", 12, 13), "DID06": ("MD2", 15, 14)}
MUNICIPALITIES = {"MD1": (20, 15), "MD2": (18, 18)}


@pytest.fixture(scope="module")
def effects(warehouse):
    with warehouse.begin() as conn:
        publish(conn, load_catalog())
        for year in (BEFORE, AFTER):
            load_id = conn.execute(text(
                "insert into core.load_log (year, source, file_name, sha256, status) "
                "values (:y, 'schools', 'hand-made.csv', 'hand-made', 'loaded') returning load_id"),
                {"y": year}).scalar_one()
            for m in MUNICIPALITIES:
                conn.execute(text("insert into core.municipality values (:y, :m, :m, :l)"),
                             {"y": year, "m": m, "l": load_id})
            for i, (code, (m, *_)) in enumerate(SCHOOLS.items()):
                conn.execute(text(
                    "insert into core.school (year, school_code, school_name, municipality_code, school_type, "
                    "locality, students, load_id, row_number) "
                    "values (:y, :c, :c, :m, 'СОШ', 'городская', 300, :l, :r)"),
                    {"y": year, "c": code, "m": m, "l": load_id, "r": i + 2})
            for code, (_, before, after) in SCHOOLS.items():
                conn.execute(text(
                    "insert into core.indicator_value (year, level, unit_code, indicator_code, value, numerator, "
                    "denominator) values (:y, 'school', :c, 'vpr_share_mark_2', :v, :v, 100)"),
                    {"y": year, "c": code, "v": before if year == BEFORE else after})
            for m, (before, after) in MUNICIPALITIES.items():
                conn.execute(text(
                    "insert into core.indicator_value (year, level, unit_code, indicator_code, value, numerator, "
                    "denominator) values (:y, 'municipality', :c, 'vpr_share_mark_2', :v, :v, 100)"),
                    {"y": year, "c": m, "v": before if year == BEFORE else after})
        for level, unit, code in (("school", "DID01", "R-LOW-01"), ("school", "DID02", "R-LOW-01"),
                                  ("school", "DID03", "R-LOW-01"), ("municipality", "MD1", "R-LOW-02")):
            conn.execute(text(
                "insert into core.recommendation values (:y, :l, :u, :c, 'текст', 'основание', :d)"),
                {"y": BEFORE, "l": level, "u": unit, "c": code, "d": date(BEFORE, 12, 20)})
        load_id = conn.execute(text(
            "insert into core.load_log (year, source, file_name, sha256, status) "
            "values (:y, 'measures', 'hand-made.csv', 'hand-made', 'loaded') returning load_id"),
            {"y": AFTER}).scalar_one()
        for i, (level, unit, code, done) in enumerate((
                ("ОО", "DID01", "R-LOW-01", True), ("ОО", "DID02", "R-LOW-01", True),
                ("ОО", "DID02", "R-LOW-01", False),      # a second, unfinished measure: DID02 still acted
                ("ОО", "DID03", "R-LOW-01", False), ("ОО", "DID04", "R-LOW-01", True),
                ("МО", "MD1", "R-LOW-02", True))):
            conn.execute(text(
                "insert into core.measure values (:y, :l, :u, :c, 'мера', 'директор', :d, :done, :id, :r)"),
                {"y": AFTER, "l": level, "u": unit, "c": code, "d": date(AFTER, 5, 1), "done": done, "id": load_id,
                 "r": i + 2})
    summary = analyse_year(warehouse, AFTER, conditions=rule_conditions())
    with warehouse.connect() as conn:
        rows = conn.execute(text("select * from mart.measure_effects where year = :y"), {"y": AFTER}).mappings().all()
    return summary, {(r["level"], r["recommendation_code"]): r for r in rows}


def test_school_level_difference_in_differences(effects):
    _, rows = effects
    r = rows[("school", "R-LOW-01")]
    assert r["indicator_code"] == "vpr_share_mark_2" and r["recommendation_year"] == BEFORE
    assert (r["treated_units"], r["control_units"]) == (2, 2)
    assert float(r["treated_before"]) == pytest.approx(27.5) and float(r["treated_after"]) == pytest.approx(19.5)
    assert float(r["control_before"]) == pytest.approx(13.5) and float(r["control_after"]) == pytest.approx(13.5)
    assert float(r["did"]) == pytest.approx(-8.0)
    assert float(r["se"]) == pytest.approx(math.sqrt(5))
    assert r["comparison"] == "adjusted" and float(r["df"]) == 1
    assert float(r["estimate"]) == pytest.approx(46 / 17)
    assert float(r["t_stat"]) == pytest.approx(46 / math.sqrt(213))
    assert float(r["p_value"]) == pytest.approx(0.1956, abs=1e-3)
    assert r["improvement"] is False
    assert "разность разностей −8,00" in r["verdict_ru"] and "регрессия к среднему" in r["verdict_ru"]
    assert "эффект 2,71 — в нежелательную сторону, не значим" in r["verdict_ru"]


def test_municipality_level_difference_in_differences(effects):
    _, rows = effects
    r = rows[("municipality", "R-LOW-02")]
    assert (r["treated_units"], r["control_units"]) == (1, 1)
    assert float(r["did"]) == pytest.approx(-5.0)
    assert r["se"] is None and r["improvement"] is None and r["comparison"] == "none"
    assert "значимость оценить нельзя" in r["verdict_ru"]


def test_a_year_with_little_data_still_analyses(effects, warehouse):
    """No ВПР, ГИА or self-evaluation: no signals, no suspicion; one indicator still ranks the schools, so the
    bottom 10 % of six (one school, the highest share of «2») has low results."""
    summary, _ = effects
    assert summary["schools"] == 6 and summary["objectivity_signals"] == 0
    assert summary["biased_results_suspected"] == 0
    with warehouse.connect() as conn:
        low = conn.execute(text("select school_code from mart.school_status where year = :y and low_results"),
                           {"y": AFTER}).scalars().all()
    assert low == ["DID03"]
