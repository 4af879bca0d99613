-- The region's motivating monitoring of municipal authorities for the year (municipal_monitoring.*).
select municipality_code, indicator_code, indicator_name, value, max_score
from core.municipal_monitoring
where year = :year
order by municipality_code, indicator_code
