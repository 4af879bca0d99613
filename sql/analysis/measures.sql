-- The year's measures (measures.* of the year: they answer last year's recommendations), one row per unit
-- and recommendation.
select distinct unit_code, recommendation_code
from core.measure
where year = :year
order by unit_code, recommendation_code
