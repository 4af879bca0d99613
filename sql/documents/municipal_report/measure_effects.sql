-- The region's estimate of last year's measures' effect (difference in differences), for the recommendations
-- this municipality's schools received.
select e.level, e.recommendation_code, e.indicator_code, e.treated_units, e.control_units, e.did, e.verdict_ru
from mart.measure_effects e
where e.year = :year
order by e.level, e.recommendation_code
