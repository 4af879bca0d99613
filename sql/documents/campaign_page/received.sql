-- Per municipality and required source: how many of its schools have sent the source (mart only).
select municipality_code, municipality_name, source_name_ru,
       count(*) filter (where received) as received, count(*) as schools
from mart.campaign_status
where year = :year and required
group by 1, 2, 3, source
order by 1, source
