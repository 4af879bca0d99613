-- The municipality's rank and expert-review selection.
select *
from mart.municipality_status
where year = :year and municipality_code = :municipality_code
