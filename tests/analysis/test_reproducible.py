"""Numbers in mart recomputed from core tables or from other mart views by plain SQL, and a rerun
that changes nothing."""
from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import text

from edu_quality.analysis import analyse_year
from edu_quality.analysis.settings import load_settings
from edu_quality.recommendations.catalogue import rule_conditions

from .conftest import NEXT, YEAR

S = load_settings()


@pytest.fixture(scope="module")
def warehouse(region):
    """The analysed region's own database (tests/analysis/conftest.py), not a fresh one."""
    return region.engine


def _one(warehouse, sql: str, **params):
    with warehouse.connect() as conn:
        return conn.execute(text(sql), params).mappings().one()


def test_journal_signal_by_sql(region, warehouse):
    row = _one(warehouse, "select * from mart.objectivity_signals where year = :y and signal_code = 'journal_lowered' "
                          "and participants >= 10 order by flagged desc, school_code, subject, grade limit 1", y=YEAR)
    again = _one(warehouse, """
        with g as (
            select v.school_code, count(*) filter (where v.mark < v.journal_mark) as lowered,
                   count(v.journal_mark) as with_journal
            from core.vpr_result v join core.school s on s.year = v.year and s.school_code = v.school_code
            where v.year = :y and v.subject = :subject and v.grade = :grade
            group by v.school_code)
        select 100.0 * sum(lowered) filter (where school_code = :s) / sum(with_journal) filter (where school_code = :s)
                   as value,
               100.0 * sum(lowered) / sum(with_journal) as region
        from g""", y=YEAR, subject=row["subject"], grade=row["grade"], s=row["school_code"])
    assert float(row["value"]) == pytest.approx(float(again["value"]))
    assert float(row["reference_value"]) == pytest.approx(float(again["region"]))
    assert float(row["threshold"]) == pytest.approx(S["objectivity"]["journal_lowered"]["ratio_max"]
                                                    * float(again["region"]))


def test_boundary_signal_by_sql(region, warehouse):
    school = region.manifest["biased_schools"][0]
    row = _one(warehouse, "select * from mart.objectivity_signals where year = :y and school_code = :s and "
                          "signal_code = 'boundary_peak' order by value desc limit 1", y=YEAR, s=school)
    again = _one(warehouse, """
        with w as (
            select v.school_code,
                   count(*) filter (where v.primary_score between b.score and b.score + 1) as at_b,
                   count(*) filter (where v.primary_score between b.score - 2 and b.score - 1
                                       or v.primary_score between b.score + 2 and b.score + 3) as near_b
            from core.vpr_result v
            join core.school s on s.year = v.year and s.school_code = v.school_code
            join core.vpr_scale sc on sc.year = v.year and sc.subject = v.subject and sc.grade = v.grade
            cross join lateral (values (sc.min_score_3), (sc.min_score_4), (sc.min_score_5)) b(score)
            where v.year = :y and v.subject = :subject and v.grade = :grade
            group by v.school_code)
        select ((sum(at_b) filter (where school_code = :s) + 0.5) / (sum(near_b) filter (where school_code = :s) + 0.5))
             / ((sum(at_b) + 0.5) / (sum(near_b) + 0.5)) as value
        from w""", y=YEAR, subject=row["subject"], grade=row["grade"], s=school)
    assert float(row["value"]) == pytest.approx(float(again["value"]))
    assert row["flagged"]


PROCEDURE_SQL = """
with v as (
    select iv.unit_code, iv.indicator_code, iv.value, iv.numerator, iv.denominator, c.polarity, c.unit
    from mart.indicator_values iv join mart.indicator_catalog c using (indicator_code)
    where iv.year = :y and iv.level = 'school' and iv.indicator_code = any(:codes) and iv.value is not null
      and iv.denominator >= :min_n
      and iv.unit_code in (select school_code from core.school where year = :y)
),
-- A share of counts is ranked on its empirical-Bayes estimate: a Beta prior with the region's mean m and the
-- between-school variance τ² = [Σn(p − m)² − m(1 − m)(K − 1)] / (N − Σn²/N), strength k = m(1 − m)/τ² − 1;
-- with τ² ≤ 0 each school keeps its share.
prior as (
    select indicator_code, sum(numerator) / sum(denominator) as m, sum(denominator) as n_total,
           sum(denominator * denominator) as n_squares, count(*) as schools,
           bool_and(coalesce(unit = '%' and numerator between 0 and denominator
                             and abs(value - 100.0 * numerator / denominator) <= 1e-6 * greatest(1, abs(value)),
                             false)) as share
    from v group by indicator_code
),
spread as (
    select v.indicator_code, p.m, p.share,
           (sum(v.denominator * power(v.numerator / v.denominator - p.m, 2)) - p.m * (1 - p.m) * (p.schools - 1))
             / nullif(p.n_total - p.n_squares / p.n_total, 0) as tau2
    from v join prior p using (indicator_code)
    group by v.indicator_code, p.m, p.share, p.schools, p.n_total, p.n_squares
),
strength as (
    select indicator_code, m, share, share and coalesce(tau2 > 0, false) and m > 0 and m < 1 as pooled,
           case when tau2 > 0 then greatest(m * (1 - m) / tau2 - 1, 1e-6) end as k
    from spread
),
e as (
    select v.unit_code, v.indicator_code, v.polarity,
           case when s.pooled then 100 * (s.m * s.k + v.numerator) / (s.k + v.denominator)
                when s.share then 100.0 * v.numerator / v.denominator
                else v.value end as value
    from v join strength s using (indicator_code)
),
r as (
    select unit_code, indicator_code, polarity,
           (rank() over (partition by indicator_code order by value)
            + (count(*) over (partition by indicator_code, value) - 1) / 2.0 - 1)
           / nullif(count(*) over (partition by indicator_code) - 1, 0) * 100 as pct
    from e
)
select unit_code, avg(case when polarity = 'lower_better' then 100 - pct else pct end) as score
from r group by unit_code
"""


def _percentile_cont(values: list[float], pct: float) -> float:
    values = sorted(values)
    k = (len(values) - 1) * pct / 100
    lo = int(k)
    return values[lo] + (values[min(lo + 1, len(values) - 1)] - values[lo]) * (k - lo)


def test_results_score_and_low_results_by_sql(region, warehouse):
    """results_score = mean over procedures of the mean percentile rank (mid-rank ties) of the procedure's
    indicators (a share ranked on its empirical-Bayes estimate); low_results = results_score at or below the
    region's 10th percentile (percentile_cont)."""
    scores: dict[str, dict[str, float]] = {}
    pct = S["low_results"]["percentile"]
    with warehouse.connect() as conn:
        for proc in S["low_results"]["procedures"]:
            for r in conn.execute(text(PROCEDURE_SQL), {"y": YEAR, "codes": proc["indicators"],
                                                        "min_n": S["general"]["min_participants"]}):
                scores.setdefault(r.unit_code, {})[proc["code"]] = float(r.score)
        mart = {r.school_code: r for r in conn.execute(text(
            "select school_code, results_score, low_results, procedures_low from mart.school_status where year = :y"),
            {"y": YEAR})}
        p10 = float(conn.execute(text(
            "select percentile_cont(:p) within group (order by results_score) from mart.school_status "
            "where year = :y"), {"y": YEAR, "p": pct / 100}).scalar_one())
    limits = {p["code"]: _percentile_cont([v[p["code"]] for v in scores.values() if p["code"] in v], pct)
              for p in S["low_results"]["procedures"]}
    checked = 0
    for code, row in mart.items():
        mine = scores.get(code, {})
        if not mine:
            assert row.results_score is None and row.low_results is None
            continue
        total = sum(mine.values()) / len(mine)
        assert float(row.results_score) == pytest.approx(total, abs=1e-9), code
        # Estimates are floats computed two ways: a value within 1e-9 of its limit may fall either side.
        surely = sum(v <= limits[p] - 1e-9 for p, v in mine.items())
        maybe = sum(v <= limits[p] + 1e-9 for p, v in mine.items())
        assert surely <= row.procedures_low <= maybe, code
        if abs(total - p10) > 1e-9:
            assert row.low_results == (total <= p10), code
        checked += 1
    assert checked > 50


def test_risk_factor_by_sql(region, warehouse):
    """RF06: the school's share of «2» in ВПР from mart.indicator_values against the region's 90th
    percentile (percentile_cont over the schools with a value)."""
    rows = {r["school_code"]: r for r in _rows(warehouse, "select * from mart.school_risk_profile where year = :y "
                                                           "and risk_factor_code = 'RF06'", y=YEAR)}
    p90 = float(_one(warehouse, "select percentile_cont(0.9) within group (order by value) as p "
                                "from mart.indicator_values "
                                "where year = :y and level = 'school' and indicator_code = 'vpr_share_mark_2' and "
                                "value is not null", y=YEAR)["p"])
    values = {r["unit_code"]: float(r["value"]) for r in _rows(
        warehouse, "select unit_code, value from mart.indicator_values where year = :y and level = 'school' "
                   "and indicator_code = 'vpr_share_mark_2' and value is not null", y=YEAR)}
    at_risk = [c for c, r in rows.items() if r["metric_code"] == "vpr_share_mark_2" and r["at_risk"]]
    assert at_risk
    for code in at_risk:
        assert float(rows[code]["value"]) == pytest.approx(values[code])
        assert float(rows[code]["threshold"]) == pytest.approx(p90)
        assert values[code] > p90
        assert "при медиане региона" in rows[code]["evidence_ru"]
    for code, v in values.items():
        assert rows[code]["at_risk"] is True or v <= p90
    # Factors the sources cannot give have no verdict, said so.
    none = _rows(warehouse, "select at_risk, evidence_ru from mart.school_risk_profile where year = :y and "
                            "risk_factor_code = 'RF09'", y=YEAR)
    assert all(r["at_risk"] is None and r["evidence_ru"].startswith("нет данных: ") for r in none)


def test_head_score_by_sql(region, warehouse):
    rows = _rows(warehouse, """
        select h.school_code, avg(h.score) as mean, count(h.score) as directions,
               max(st.head_effectiveness_score) as total
        from mart.head_effectiveness h join mart.school_status st using (year, school_code)
        where h.year = :y group by h.school_code""", y=YEAR)
    assert rows
    for r in rows:
        if r["directions"] >= S["head_effectiveness"]["min_directions"]:
            assert float(r["total"]) == pytest.approx(float(r["mean"]))
        else:
            assert r["total"] is None


def test_municipal_rating_by_sql(region, warehouse):
    rows = _rows(warehouse, """
        with z as (
            select municipality_code, indicator_code,
                   (value - avg(value) over w) / nullif(stddev_pop(value) over w, 0)
                   * case polarity when 'higher_better' then 1 else -1 end as z
            from mart.municipality_indicator_gaps
            where year = :y and polarity in ('higher_better', 'lower_better') and value is not null
            window w as (partition by indicator_code))
        select z.municipality_code, avg(z.z) as score, max(m.score) as mart_score
        from z join mart.municipality_status m on m.year = :y and m.municipality_code = z.municipality_code
        where z.z is not null
        group by z.municipality_code""", y=YEAR)
    assert len(rows) == 5
    for r in rows:
        assert float(r["mart_score"]) == pytest.approx(float(r["score"]))
    # The product's rating is the second signal of the expertise: its lowest score has the last place.
    places = {r["municipality_code"]: r["product_rank"] for r in _rows(
        warehouse, "select municipality_code, product_rank from mart.municipal_expertise where year = :y", y=YEAR)}
    worst = min(rows, key=lambda r: float(r["score"]))["municipality_code"]
    assert places[worst] == len(rows)
    # The region has the motivating monitoring: the choice rests on it (5 МО: at most 30 % → one).
    selected = _rows(warehouse, "select municipality_code from mart.municipality_status where year = :y and "
                                "expert_review_selected", y=YEAR)
    assert [r["municipality_code"] for r in selected] == region.manifest["weakest_by_monitoring"]


def _rows(warehouse, sql: str, **params):
    with warehouse.connect() as conn:
        return conn.execute(text(sql), params).mappings().all()


TABLES = ("objectivity_signals", "objectivity_verdicts", "school_status", "school_risk_profile", "head_effectiveness",
          "successful_practices", "clusters", "municipality_status", "municipality_indicator_gaps",
          "municipality_correlations", "measure_effects", "municipal_expertise", "municipality_risk_profile",
          "target_achievement", "management_cycle")


def _digest(warehouse, year: int) -> str:
    h = hashlib.sha256()
    with warehouse.connect() as conn:
        for view in TABLES:
            for row in conn.execute(text(f"select * from mart.{view} where year = :y order by 1, 2, 3, 4, 5"),
                                    {"y": year}):
                h.update(repr(tuple(row)).encode())
    return h.hexdigest()


def test_rerun_is_idempotent(region, warehouse):
    before = _digest(warehouse, NEXT)
    summary = analyse_year(warehouse, NEXT, conditions=rule_conditions())
    assert _digest(warehouse, NEXT) == before
    assert {k: v for k, v in summary.items() if k != "seconds"} == \
        {k: v for k, v in region.summary_next.items() if k != "seconds"}
    print(f"analyse_year({NEXT}) for {summary['schools']} schools: {summary['seconds']} s")


def test_clusters_are_ordered_named_and_cover_every_school(region, warehouse):
    centres = _rows(warehouse, "select cluster, name_ru, members, k, centre from mart.clusters where year = :y and "
                               "level = 'school' order by cluster", y=YEAR)
    k = centres[0]["k"]
    assert S["clusters"]["schools"]["k_min"] <= k <= S["clusters"]["schools"]["k_max"] and len(centres) == k
    results = [c["centre"]["results_score"] for c in centres]
    assert results == sorted(results, reverse=True)          # 1 = the highest results at the centre
    assert len({c["name_ru"] for c in centres}) == k and all(" ОО " in c["name_ru"] for c in centres)
    counts = _rows(warehouse, "select cluster, count(*) as n from mart.school_status where year = :y group by 1 "
                              "order by 1", y=YEAR)
    assert [(r["cluster"], r["n"]) for r in counts] == [(c["cluster"], c["members"]) for c in centres]
    print("school clusters:", [(c["cluster"], c["name_ru"], c["members"]) for c in centres])
