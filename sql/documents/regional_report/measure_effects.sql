-- The effect of last year's measures: the raw difference in differences and the effect judged like with like.
select level, recommendation_code, indicator_code, treated_units, control_units, did, estimate, verdict_ru
from mart.measure_effects
where year = :year
order by level, recommendation_code
