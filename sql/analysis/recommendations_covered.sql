-- Recommendations a unit got for year :year − 1, how many of them have a measure recorded for :year, and how
-- many were planned in time: every measure on it due no later than the recommendation's own due date.
select r.level, r.unit_code,
       count(*) as recommendations,
       count(*) filter (where exists (
           select 1 from core.measure m
           where m.year = :year and m.unit_code = r.unit_code and m.recommendation_code = r.recommendation_code
             and m.level = case r.level when 'school' then 'ОО' else 'МО' end)) as with_measure,
       count(*) filter (where exists (
           select 1 from core.measure m
           where m.year = :year and m.unit_code = r.unit_code and m.recommendation_code = r.recommendation_code
             and m.level = case r.level when 'school' then 'ОО' else 'МО' end)
         and not exists (
           select 1 from core.measure m
           where m.year = :year and m.unit_code = r.unit_code and m.recommendation_code = r.recommendation_code
             and m.level = case r.level when 'school' then 'ОО' else 'МО' end
             and m.due_date > r.due_date)) as planned_on_time
from core.recommendation r
where r.year = :year - 1
group by r.level, r.unit_code
order by r.level, r.unit_code
