-- Specialists who support pupils with ОВЗ (positions from settings), per school, for one year.
select t.school_code, count(*) as specialists
from core.teacher t
join core.school s on s.year = t.year and s.school_code = t.school_code
where t.year = :year and t.position = any(:positions)
group by t.school_code
order by t.school_code
