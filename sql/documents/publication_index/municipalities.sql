-- Names of the year's municipalities.
select municipality_code, municipality_name
from core.municipality
where year = :year
order by 1
