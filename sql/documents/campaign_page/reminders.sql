-- Schools that have not sent a required source.
select municipality_code, school_code, school_name, head_name, missing_sources
from mart.campaign_reminders
where year = :year
order by 1, 2
