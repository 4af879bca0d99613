"""The whole management cycle at the municipal level, against numbers worked out by hand from `mart` and from
the generator's manifest: the heads' nine directions, the expertise chosen on the motivating monitoring, goals
and their achievement, the municipal risk profile and the completeness of the cycle."""
from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import text

from edu_quality.analysis import analyse_year
from edu_quality.analysis.expertise import BASIS_MONITORING, BASIS_PRODUCT, expertise
from edu_quality.analysis.municipalities import select_for_review
from edu_quality.analysis.settings import load_settings
from edu_quality.recommendations.catalogue import rule_conditions

from .conftest import NEXT, YEAR


@pytest.fixture(scope="module")
def warehouse(region):
    """The analysed region's own database (tests/analysis/conftest.py), not a fresh one."""
    return region.engine


def _rows(engine, sql: str, **params) -> list[dict]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(text(sql), params).mappings()]


def test_every_head_has_nine_directions_each_scored_or_saying_why(region, warehouse):
    rows = _rows(warehouse, "select school_code, direction_code, score, evidence_ru from mart.head_effectiveness "
                            "where year = :y", y=YEAR)
    by_school = pd.DataFrame(rows).groupby("school_code")["direction_code"].apply(sorted)
    assert all(codes == [f"H{i}" for i in range(1, 10)] for codes in by_school)
    for r in rows:
        assert r["score"] is not None or r["evidence_ru"].startswith("нет данных"), r
    # Directions H1, H8, H9 come from heads.*: scored for every school with a loaded row; the others say why.
    loaded = {r["school_code"] for r in _rows(warehouse, "select school_code from core.head where year = :y", y=YEAR)}
    assert len(loaded) >= 0.8 * len(by_school)
    for code in ("H1", "H8", "H9"):
        mine = {r["school_code"]: r for r in rows if r["direction_code"] == code}
        assert {s for s, r in mine.items() if r["score"] is not None} == loaded, code
        assert all("heads.*" in r["evidence_ru"] for s, r in mine.items() if s not in loaded), code


def test_the_planted_weak_heads_have_deficits_in_competences_reserve_and_assessment(region, warehouse):
    weak = region.manifest["weak_heads"]
    assert weak
    rows = _rows(warehouse, "select school_code, direction_code, deficit, evidence_ru from mart.head_effectiveness "
                            "where year = :y and school_code = any(:s) and direction_code in ('H1', 'H8', 'H9')",
                 y=YEAR, s=weak)
    assert {r["school_code"] for r in rows} == set(weak)
    for r in rows:
        assert r["deficit"] is True, r
        assert "профессиональный дефицит" in r["evidence_ru"]
    # A deficit names what drives it: the direction's weakest metric.
    assert all("слабее всего" in r["evidence_ru"] for r in rows)


def test_the_expertise_chooses_the_municipalities_the_monitoring_file_makes_weakest(region, warehouse):
    weakest = region.manifest["weakest_by_monitoring"]
    assert weakest
    chosen = _rows(warehouse, "select municipality_code, basis, reason_ru from mart.municipal_expertise "
                              "where year = :y and selected", y=YEAR)
    assert sorted(r["municipality_code"] for r in chosen) == sorted(weakest)
    assert {r["basis"] for r in chosen} == {BASIS_MONITORING}
    assert all("по результатам мотивирующего мониторинга деятельности МОУО" in r["reason_ru"]
               and "второй сигнал" in r["reason_ru"] for r in chosen)
    status = _rows(warehouse, "select municipality_code from mart.municipality_status where year = :y "
                              "and expert_review_selected", y=YEAR)
    assert sorted(r["municipality_code"] for r in status) == sorted(weakest)
    # The monitoring's result by hand: Σ value / Σ maximum score × 100 over the loaded rows.
    mine = _rows(warehouse, "select municipality_code, sum(value) / sum(max_score) * 100 as p "
                            "from mart.municipal_monitoring where year = :y group by 1", y=YEAR)
    stored = {r["municipality_code"]: float(r["monitoring_percent"]) for r in _rows(
        warehouse, "select municipality_code, monitoring_percent from mart.municipal_expertise where year = :y",
        y=YEAR)}
    for r in mine:
        assert stored[r["municipality_code"]] == pytest.approx(float(r["p"]))


def test_without_the_monitoring_the_selection_is_the_products_and_says_so():
    s = load_settings()
    score = pd.Series({"A": 0.5, "B": -0.2, "C": 0.1, "D": -0.9})
    rows, chosen = expertise(pd.DataFrame(), score, lambda sc: select_for_review(sc, s))
    assert chosen == {"D"}   # 4 municipalities: at most 30 % of them, rounded down, but at least one
    assert set(rows["basis"]) == {BASIS_PRODUCT}
    assert all("мотивирующий мониторинг деятельности МОУО (municipal_monitoring.*) не представлен" in r
               for r in rows["reason_ru"])
    # With a file, its result decides, not the product's rating: B is the file's weakest (3 of 20 = 15 %).
    monitoring = pd.DataFrame({"municipality_code": ["A", "A", "B", "B", "C", "C", "D", "D"],
                               "value": [8, 9, 1, 2, 5, 6, 9, 10], "max_score": [10] * 8})
    rows, chosen = expertise(monitoring, score, lambda sc: select_for_review(sc, s))
    assert chosen == {"B"}
    assert rows.set_index("municipality_code")["monitoring_percent"]["B"] == pytest.approx(15.0)


def test_goals_achieved_or_not_by_how_much_and_next_years_proposal(region, warehouse):
    values = {(r["level"], r["unit_code"], r["year"]): float(r["value"]) for r in _rows(
        warehouse, "select year, level, unit_code, value from mart.indicator_values where indicator_code = "
                   "'vpr_share_mark_2' and level in ('region', 'municipality') and value is not null")}
    region_now, region_before = values[("region", "region", NEXT)], values[("region", "region", YEAR)]
    mo = sorted(u for level, u, y in values if level == "municipality" and y == NEXT)[0]
    goals = [{"indicator": "vpr_share_mark_2", "goal_ru": "Снизить долю «2»",
              "region": {NEXT: round(region_now + 2.0, 3)}, "municipalities": {mo: {NEXT: round(values[(
                  "municipality", mo, NEXT)] - 1.5, 3)}}}]
    try:
        analyse_year(warehouse, NEXT, conditions=rule_conditions(), goals=goals)
        got = {r["unit_code"]: r for r in _rows(warehouse, "select * from mart.target_achievement where year = :y",
                                                y=NEXT)}
        cycle = _rows(warehouse, "select * from mart.management_cycle where year = :y", y=NEXT)
    finally:
        analyse_year(warehouse, NEXT, conditions=rule_conditions())
    # The region's share of «2» is 2 points under its target (lower is better): reached, 2 points to spare.
    r = got["region"]
    assert r["achieved"] is True and float(r["gap"]) == pytest.approx(2.0, abs=1e-3) and r["shortfall"] is None
    # Next year: this year's value, better by the trend (the fall since last year) but by at least 1 point,
    # plus the measures' effect on this indicator where it was an improvement.
    effects = _rows(warehouse, "select did from mart.measure_effects where year = :y and indicator_code = "
                               "'vpr_share_mark_2' and improvement", y=NEXT)
    effect = sum(abs(float(e["did"])) for e in effects) / len(effects) if effects else 0.0
    step = max(1.0, region_before - region_now) + effect
    assert float(r["proposed_next"]) == pytest.approx(max(0.0, region_now - step), abs=1e-6)
    # The municipality is 1.5 points over its target: missed by 1.5, carried over.
    m = got[mo]
    assert m["achieved"] is False and float(m["shortfall"]) == pytest.approx(1.5, abs=1e-3)
    assert float(m["proposed_next"]) == pytest.approx(float(m["target"]))
    # The cycle's first step: a goal on an indicator of direction 1.1 sets it for every municipality's M1.
    m1 = [c for c in cycle if c["mechanism_code"] == "M1"]
    assert m1 and all(c["goals_set"] for c in m1)
    assert not any(c["goals_set"] for c in cycle if c["mechanism_code"] == "M4")


def test_the_municipal_risk_profile_by_hand(region, warehouse):
    low = _rows(warehouse, "select municipality_code, 100.0 * count(*) filter (where low_results) / count(low_results)"
                           " as share from mart.school_status where year = :y group by 1", y=YEAR)
    stored = {r["municipality_code"]: r for r in _rows(
        warehouse, "select * from mart.municipality_risk_profile where year = :y and risk_factor_code = 'MR2'", y=YEAR)}
    ratio = load_settings()["municipal_risk_profile"]["ratio"]
    for r in low:
        s = stored[r["municipality_code"]]
        assert float(s["value"]) == pytest.approx(float(r["share"]))
        reg = float(s["region_value"])
        assert s["at_risk"] is (float(r["share"]) > reg and float(r["share"]) >= ratio * reg)


def test_the_cycles_completeness_by_hand(region, warehouse):
    cycle = {(c["municipality_code"], c["mechanism_code"]): c for c in _rows(
        warehouse, "select * from mart.management_cycle where year = :y", y=YEAR)}
    munis = {r["municipality_code"] for r in _rows(warehouse, "select municipality_code from mart.municipality_status "
                                                              "where year = :y", y=YEAR)}
    assert {m for m, _ in cycle} == munis and len(cycle) == 8 * len(munis)
    computed = {r["unit_code"] for r in _rows(
        warehouse, "select distinct v.unit_code from mart.indicator_values v where v.year = :y and v.level = "
                   "'municipality' and v.direction_code = '2.2' and v.value is not null", y=YEAR)}
    without = {r["municipality_code"] for r in _rows(
        warehouse, "select s.municipality_code from mart.school_status s where s.year = :y and not exists (select "
                   "from mart.indicator_values v where v.year = s.year and v.level = 'school' and v.unit_code = "
                   "s.school_code and v.direction_code = '2.2' and v.value is not null)", y=YEAR)}
    measured = {r["municipality_code"] for r in _rows(
        warehouse, "select distinct s.municipality_code from core.measure m join mart.school_status s on s.year = "
                   "m.year and s.school_code = m.unit_code where m.year = :y and m.level = 'ОО' and "
                   "m.recommendation_code = 'R-LOW-01'", y=YEAR)}
    for m in munis:
        m6 = cycle[(m, "M6")]
        assert m6["indicators_computed"] is (m in computed)
        assert m6["monitoring_received"] is (m not in without)
        assert m6["analysis_done"] is True   # every municipality has heads scored
        if m in measured:   # R-LOW-01's target (share of «2» in ВПР) is an indicator of 1.1
            assert cycle[(m, "M1")]["measures_recorded"] is True
        steps = ("goals_set", "indicators_computed", "monitoring_received", "analysis_done", "recommendations_sent",
                 "measures_recorded", "effect_analysed")
        assert m6["steps_done"] == sum(bool(m6[k]) for k in steps)


def test_the_reports_say_the_choice_came_from_the_monitoring_and_show_goals_and_the_cycle(region, warehouse):
    from datetime import date

    from edu_quality.documents.reports import municipality_context, region_context
    from edu_quality.documents.templating import environment

    weakest = sorted(region.manifest["weakest_by_monitoring"])
    issued = date(YEAR + 1, 1, 20)
    env = environment()
    regional = env.get_template("regional_report.html.j2").render(**region_context(warehouse, YEAR, issued))
    assert "сформирован по результатам\nмотивирующего мониторинга деятельности МОУО" in regional
    for code in weakest:
        assert code in regional
    chosen = env.get_template("municipal_report.html.j2").render(
        **municipality_context(warehouse, YEAR, weakest[0], issued))
    assert "<b>отобран</b> для углублённой экспертизы" in chosen
    assert "результаты мотивирующего мониторинга деятельности МОУО" in chosen
    assert "Полнота управленческого цикла" in chosen and "Рисковый профиль муниципалитета" in chosen
    steps = _rows(warehouse, "select mechanism_name_ru, steps_done from mart.management_cycle where year = :y and "
                             "municipality_code = :m", y=YEAR, m=weakest[0])
    assert len(steps) == 8
    for s in steps:
        assert f"{s['mechanism_name_ru']} — <b>{s['steps_done']} из 7</b>" in chosen
    # No goals for this year in the product's targets file: the report says so instead of an empty table.
    assert f"Целевые значения показателей на {YEAR} год не заданы" in chosen
