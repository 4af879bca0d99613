-- Every municipality's score, component by component: the indicator's value, its signed z in the score (null:
-- left out) and whether it is built on ВПР; with the catalogue's source of each indicator.
select g.municipality_code, g.indicator_code, g.name_ru, g.value, g.region_value, g.rating_z, g.vpr_based,
       coalesce(i.source, 'аналитический слой') as source, i.unit
from mart.municipality_indicator_gaps g
left join core.indicator i on i.indicator_code = g.indicator_code
where g.year = :year
order by g.municipality_code, g.indicator_code
