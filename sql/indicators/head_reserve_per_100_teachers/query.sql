select s.school_code,
       h.reserve_size                                                          as numerator,
       case when h.school_code is not null then coalesce(t.teachers, 0) else 0 end as denominator
from core.school s
left join core.head h on h.year = s.year and h.school_code = s.school_code
left join (select school_code, count(*) as teachers from core.teacher where year = :year group by school_code) t
       on t.school_code = s.school_code
where s.year = :year
