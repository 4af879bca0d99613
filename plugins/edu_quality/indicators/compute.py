"""Computing a year's indicators in SQL at three levels.

Each indicator's query gives per-school numerator and denominator; municipality and region values
are by default ratios of the summed numerators and denominators (not means of school ratios), so a
school of 30 pupils weighs less than a school of 900. An indicator may ask for another aggregation
(catalog.AGGREGATIONS): a share of schools, a mean or median of school values, or a difference of two
ratios. A year is recomputed as a whole in one transaction.

The big sources are read once per year, not once per indicator: the queries in sql/indicators/_aggregates/
(ВПР works counted by school × subject × grade × mark × journal mark, ГИА's first attempts) become temporary
tables of the transaction, named after their files, and the indicators' queries read those.
"""
from __future__ import annotations

import logging

from sqlalchemy import text
from sqlalchemy.engine import Engine

from edu_quality.config import PATHS
from edu_quality.faults import failpoint
from edu_quality.indicators.catalog import Indicator, load_catalog, publish

log = logging.getLogger(__name__)

_SCHOOL = """
insert into core.indicator_value (year, level, unit_code, indicator_code, value, numerator, denominator)
select :year, 'school', q.school_code, :code,
       case when q.denominator >= :min_den then q.numerator::numeric / q.denominator * :scale end,
       q.numerator, q.denominator
from ({query}) as q
join core.school s on s.year = :year and s.school_code = q.school_code
"""

# difference_of_ratios: the query also returns numerator_2 and denominator_2 (the ratio subtracted).
_SCHOOL_DIFFERENCE = """
insert into core.indicator_value (year, level, unit_code, indicator_code, value, numerator, denominator,
                                  numerator_2, denominator_2)
select :year, 'school', q.school_code, :code,
       case when q.denominator >= :min_den and q.denominator_2 >= :min_den
            then (q.numerator::numeric / q.denominator - q.numerator_2::numeric / q.denominator_2) * :scale end,
       q.numerator, q.denominator, q.numerator_2, q.denominator_2
from ({query}) as q
join core.school s on s.year = :year and s.school_code = q.school_code
"""

# The school values of the indicator with their municipality: the input of every higher level.
_SCHOOL_VALUES = """
with school_values as (
    select s.municipality_code, v.value, v.numerator, v.denominator, v.numerator_2, v.denominator_2
    from core.indicator_value v
    join core.school s on s.year = v.year and s.school_code = v.unit_code
    where v.year = :year and v.level = 'school' and v.indicator_code = :code
),
"""

# Per kind: the aggregate columns over school_values (grouped by municipality, then over the region)
# and the value computed from them.
_AGGREGATES = {
    "ratio_of_sums": (
        "sum(numerator) as numerator, sum(denominator) as denominator, "
        "null::numeric as numerator_2, null::numeric as denominator_2, null::numeric as statistic",
        "case when denominator >= :min_den then numerator::numeric / denominator * :scale end"),
    # Mean and median: each school with a value counts once; small schools below the minimum group
    # have no value and are left out. Their numerator is the sum of the values, the denominator their number.
    "mean_of_schools": (
        "sum(value) as numerator, count(value) as denominator, "
        "null::numeric as numerator_2, null::numeric as denominator_2, null::numeric as statistic",
        "case when denominator > 0 then numerator / denominator end"),
    "median_of_schools": (
        "null::numeric as numerator, count(value) as denominator, "
        "null::numeric as numerator_2, null::numeric as denominator_2, "
        "percentile_cont(0.5) within group (order by value)::numeric as statistic",
        "statistic"),
    "difference_of_ratios": (
        "sum(numerator) as numerator, sum(denominator) as denominator, "
        "sum(numerator_2) as numerator_2, sum(denominator_2) as denominator_2, null::numeric as statistic",
        "case when denominator >= :min_den and denominator_2 >= :min_den "
        "then (numerator::numeric / denominator - numerator_2::numeric / denominator_2) * :scale end"),
}
# A count: the sum of the schools' numerators (each school's denominator is 1).
_AGGREGATES["sum_of_schools"] = (
    "sum(numerator) as numerator, count(numerator) as denominator, "
    "null::numeric as numerator_2, null::numeric as denominator_2, null::numeric as statistic",
    "case when denominator >= 1 then numerator::numeric * :scale end")
# A share of schools is a ratio of sums whose school numerators are 1 or 0 out of 1.
_AGGREGATES["share_of_schools"] = _AGGREGATES["ratio_of_sums"]

_HIGHER_LEVELS = _SCHOOL_VALUES + """
by_municipality as (
    select 'municipality' as level, municipality_code as unit_code, {columns}
    from school_values
    group by municipality_code
),
by_region as (
    select 'region' as level, 'region' as unit_code, {columns}
    from school_values
    having count(*) > 0
)
insert into core.indicator_value (year, level, unit_code, indicator_code, value, numerator, denominator,
                                  numerator_2, denominator_2)
select :year, level, unit_code, :code, {value}, numerator, denominator, numerator_2, denominator_2
from (select * from by_municipality union all select * from by_region) as agg
"""


def statements(ind: Indicator) -> tuple[str, str]:
    """The school-level and higher-level SQL of one indicator."""
    school = _SCHOOL_DIFFERENCE if ind.aggregation == "difference_of_ratios" else _SCHOOL
    columns, value = _AGGREGATES[ind.aggregation]
    return school.format(query=ind.query), _HIGHER_LEVELS.format(columns=columns, value=value)


# The tables the indicator queries read. Right after a load their planner statistics are missing or
# stale (autovacuum's analyze comes later), and the join / window plans then degrade from under three
# seconds to 20–50 seconds for a 300-school region (measured): analyze them first.
SOURCE_TABLES = ("core.school", "core.municipality", "core.vpr_result", "core.gia_result", "core.gia_threshold",
                 "core.head", "core.self_evaluation", "core.teacher", "core.olympiad_result", "core.measure")


def refresh_statistics(engine: Engine) -> None:
    # Its own short transaction: ANALYZE holds its lock to the end of the transaction, and the long
    # recompute of one year must not make another year's recompute wait.
    with engine.begin() as conn:
        conn.execute(text("analyze " + ", ".join(SOURCE_TABLES)))


def ensure_source_tables(conn, catalog: list[Indicator]) -> None:
    """An indicator on a described source reads its `ext` table, which its first load creates: in a region
    that has no such file the table is created empty, and the indicator has no values."""
    from edu_quality.sources.description import descriptions

    found = descriptions()
    for name in sorted({ind.source for ind in catalog} & set(found)):
        ddl = found[name].ddl()
        if ddl:
            conn.exec_driver_sql(ddl)


AGGREGATES = PATHS.indicators / "_aggregates"


def create_aggregates(conn, year: int) -> list[str]:
    """Each sql/indicators/_aggregates/<name>.sql of the year as the temporary table <name>, dropped at commit,
    with its statistics (the indicators' joins are planned on them)."""
    names = []
    for path in sorted(AGGREGATES.glob("*.sql")):
        name = path.stem
        conn.execute(text(f"drop table if exists pg_temp.{name}"))
        conn.execute(text(f"create temporary table {name} on commit drop as {path.read_text(encoding='utf-8')}"),
                     {"year": year})
        conn.execute(text(f"analyze pg_temp.{name}"))
        names.append(name)
    return names


def compute_year(engine: Engine, year: int, catalog: list[Indicator] | None = None) -> dict:
    catalog = catalog or load_catalog()
    refresh_statistics(engine)
    with engine.begin() as conn:
        ensure_source_tables(conn, catalog)
        publish(conn, catalog)
        conn.execute(text("delete from core.indicator_value where year = :year"), {"year": year})
        create_aggregates(conn, year)
        for ind in catalog:
            params = {"year": year, "code": ind.code, "scale": ind.scale, "min_den": ind.min_denominator}
            school_sql, higher_sql = statements(ind)
            conn.execute(text(school_sql), params)
            conn.execute(text(higher_sql), params)
            failpoint("indicators.computed")
        values = conn.execute(text("select count(*) from core.indicator_value where year = :year"),
                              {"year": year}).scalar_one()
    log.info("computed %d indicators for %s: %d values", len(catalog), year, values)
    return {"indicators": len(catalog), "values": values}
