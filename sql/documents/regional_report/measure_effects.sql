-- The effect of last year's measures (difference in differences).
select level, recommendation_code, indicator_code, treated_units, control_units, did, verdict_ru
from mart.measure_effects
where year = :year
order by level, recommendation_code
