-- mart.indicator_values, same columns, with last year's value found by an index lookup again.
--
-- Why: since 006 the view's owner is subject to row security, and PostgreSQL then lets only leakproof
-- operators into conditions it evaluates before a table's policy. `p.year = v.year - 1` holds integer
-- subtraction (not leakproof: it can raise an overflow error), so the year could not be an index
-- condition: each row's previous value scanned the whole level (4.5 s for one municipality's 1,160
-- values of a 900-school region). The previous year is now computed in a lateral subquery that is
-- not flattened (offset 0), so the join compares two plain columns: 5 ms for the same rows.
create or replace view mart.indicator_values as
select v.year, v.level, v.unit_code, v.indicator_code, v.value, v.numerator, v.denominator,
       p.value as previous_value,
       v.value - p.value as change,
       v.numerator_2, v.denominator_2,
       i.name_ru, i.unit, i.polarity, i.direction_code,
       -- So an analyst can pick a municipality's schools without reading core tables.
       case v.level when 'school' then s.municipality_code when 'municipality' then v.unit_code end
           as municipality_code,
       case v.level when 'school' then s.school_name when 'municipality' then m.municipality_name
           else 'Регион' end as unit_name
from core.indicator_value v
join core.indicator i on i.indicator_code = v.indicator_code
cross join lateral (select v.year - 1 as year offset 0) previous
left join core.indicator_value p
       on p.year = previous.year and p.level = v.level and p.unit_code = v.unit_code
      and p.indicator_code = v.indicator_code
left join core.school s
       on v.level = 'school' and s.year = v.year and s.school_code = v.unit_code
left join core.municipality m
       on v.level = 'municipality' and m.year = v.year and m.municipality_code = v.unit_code;
