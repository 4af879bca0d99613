-- Recommendations a unit got for year :year − 1 and how many of them have a measure recorded for :year.
select r.level, r.unit_code,
       count(*) as recommendations,
       count(*) filter (where exists (
           select 1 from core.measure m
           where m.year = :year and m.unit_code = r.unit_code and m.recommendation_code = r.recommendation_code
             and m.level = case r.level when 'school' then 'ОО' else 'МО' end)) as with_measure
from core.recommendation r
where r.year = :year - 1
group by r.level, r.unit_code
order by r.level, r.unit_code
