-- The years with a school reference, newest first.
select distinct year
from core.school
order by 1 desc
