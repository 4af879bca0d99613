-- Files of the year's inbox that are not read, and why (not recognised, the operator's own, a link out).
select file_name, reason_ru
from mart.inbox_files
where year = :year and status <> 'source'
order by file_name
