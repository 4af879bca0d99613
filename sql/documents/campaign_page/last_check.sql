-- The latest deadline check.
select checked_on, status, message_ru
from mart.campaign_deadline
where year = :year
order by checked_on desc
limit 1
