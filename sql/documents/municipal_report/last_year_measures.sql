-- Last year's recommendations to the municipality's schools and to the municipality itself, with the measures
-- recorded against them (mart.follow_up of the year before).
select f.recommendation_code, count(distinct f.unit_code) as units,
       count(distinct f.unit_code) filter (where f.done) as units_done,
       count(*) filter (where f.late) as measures_late
from mart.follow_up f
left join core.school s on f.level = 'school' and s.year = f.year and s.school_code = f.unit_code
where f.year = :year - 1
  and ((f.level = 'school' and s.municipality_code = :municipality_code)
       or (f.level = 'municipality' and f.unit_code = :municipality_code))
group by f.recommendation_code
order by f.recommendation_code
