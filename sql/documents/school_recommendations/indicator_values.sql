-- The schools' indicator values with the catalogue's name, unit, polarity, thresholds and direction.
select v.unit_code, v.indicator_code, v.value, v.previous_value, v.change, v.municipality_code,
       c.name_ru, c.unit, c.polarity, c.thresholds, c.direction_code, c.direction_name_ru
from mart.indicator_values v
join core.indicator c using (indicator_code)
where v.year = :year and v.level = 'school' and v.unit_code = any(:school_codes)
order by c.direction_code, v.indicator_code
