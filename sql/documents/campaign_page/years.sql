-- The years with a school reference loaded, newest first (mart only: the page reads as edu_analyst; cheap:
-- mart.campaign_status would count every result row).
select year
from mart.load_quality
where source = 'schools' and files_loaded > 0
order by 1 desc
