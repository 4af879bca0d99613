select s.school_code,
       count(m.done) filter (where m.done)  as numerator,
       count(m.done)                        as denominator
from core.school s
left join core.measure m on m.year = s.year and m.level = 'ОО' and m.unit_code = s.school_code
                        and m.due_date <= make_date(:year, 12, 31)
where s.year = :year
group by s.school_code
