select s.school_code,
       h.cpd_hours_3y                                       as numerator,
       case when h.school_code is not null then 1 else 0 end as denominator
from core.school s
left join core.head h on h.year = s.year and h.school_code = s.school_code
where s.year = :year
