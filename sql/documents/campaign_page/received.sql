-- Per municipality and required source: how many of its schools have sent the source.
select s.municipality_code, m.municipality_name, c.source_name_ru,
       count(*) filter (where c.received) as received, count(*) as schools
from mart.campaign_status c
join core.school s using (year, school_code)
join core.municipality m on m.year = s.year and m.municipality_code = s.municipality_code
where c.year = :year and c.required
group by 1, 2, 3, c.source
order by 1, c.source
