-- The municipality's headline indicators with the region's value and the catalogue's thresholds: those the
-- region has values of this year (a region described by its own sources has only some of them).
select v.indicator_code, v.name_ru, v.unit, v.polarity, v.value, v.previous_value, v.change,
       r.value as region_value, c.thresholds
from mart.indicator_values v
join core.indicator c using (indicator_code)
left join mart.indicator_values r on r.year = v.year and r.level = 'region' and r.indicator_code = v.indicator_code
where v.year = :year and v.level = 'municipality' and v.unit_code = :municipality_code
  and v.indicator_code = any(:indicator_codes)
  and exists (select from core.indicator_value x where x.year = v.year and x.indicator_code = v.indicator_code
              and x.value is not null)
