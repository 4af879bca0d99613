-- The region's municipalities by rank.
select *
from mart.municipality_status
where year = :year
order by rank nulls last, municipality_code
