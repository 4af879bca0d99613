-- The municipality's score, place, expert-review selection and the number of municipalities with a score.
select s.*, (select count(*) from mart.municipality_status a where a.year = s.year and a.score is not null)
       as municipalities
from mart.municipality_status s
where s.year = :year and s.municipality_code = :municipality_code
