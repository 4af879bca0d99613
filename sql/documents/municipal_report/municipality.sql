-- The municipality the report (and the draft order, from the same data) is about.
select municipality_code, municipality_name
from core.municipality
where year = :year and municipality_code = :municipality_code
