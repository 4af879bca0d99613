"""Computing a year's indicators in SQL at three levels.

Each indicator's query gives per-school numerator and denominator; municipality and region values
are ratios of the summed numerators and denominators (not means of school ratios), so a school of
30 pupils weighs less than a school of 900. A year is recomputed as a whole in one transaction.
"""
from __future__ import annotations

import logging

from sqlalchemy import text
from sqlalchemy.engine import Engine

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

_HIGHER_LEVELS = """
with school_values as (
    select s.municipality_code, v.numerator, v.denominator
    from core.indicator_value v
    join core.school s on s.year = v.year and s.school_code = v.unit_code
    where v.year = :year and v.level = 'school' and v.indicator_code = :code
),
by_municipality as (
    select 'municipality' as level, municipality_code as unit_code,
           sum(numerator) as numerator, sum(denominator) as denominator
    from school_values
    group by municipality_code
),
by_region as (
    select 'region' as level, 'region' as unit_code,
           sum(numerator) as numerator, sum(denominator) as denominator
    from school_values
    having count(*) > 0
)
insert into core.indicator_value (year, level, unit_code, indicator_code, value, numerator, denominator)
select :year, level, unit_code, :code,
       case when denominator >= :min_den then numerator::numeric / denominator * :scale end,
       numerator, denominator
from (select * from by_municipality union all select * from by_region) as agg
"""


def compute_year(engine: Engine, year: int, catalog: list[Indicator] | None = None) -> dict:
    catalog = catalog or load_catalog()
    counts = {}
    with engine.begin() as conn:
        publish(conn, catalog)
        conn.execute(text("delete from core.indicator_value where year = :year"), {"year": year})
        for ind in catalog:
            params = {"year": year, "code": ind.code, "scale": ind.scale, "min_den": ind.min_denominator}
            conn.execute(text(_SCHOOL.format(query=ind.query)), params)
            conn.execute(text(_HIGHER_LEVELS), params)
            counts[ind.code] = conn.execute(text(
                "select count(*) from core.indicator_value where year = :year and indicator_code = :code"),
                params).scalar_one()
    log.info("computed %d indicators for %s: %d values", len(catalog), year, sum(counts.values()))
    return {"indicators": len(catalog), "values": sum(counts.values())}
