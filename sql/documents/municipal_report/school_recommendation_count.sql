-- How many recommendations the municipality's schools received.
select count(*)
from mart.recommendations r
join core.school s on s.year = r.year and s.school_code = r.unit_code
where r.year = :year and r.level = 'school' and s.municipality_code = :municipality_code
