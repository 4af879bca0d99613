-- Indicator values of the given years and codes at every level, with the catalogue's polarity and unit.
select v.year, v.level, v.unit_code, v.indicator_code, v.value, v.numerator, v.denominator,
       i.polarity, i.unit, i.name_ru
from core.indicator_value v
join core.indicator i on i.indicator_code = v.indicator_code
where v.year = any(:years)
order by v.year, v.level, v.unit_code, v.indicator_code
