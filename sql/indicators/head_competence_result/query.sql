select s.school_code,
       h.competence_result                                          as numerator,
       case when h.competence_result is not null then 1 else 0 end  as denominator
from core.school s
left join core.head h on h.year = s.year and h.school_code = s.school_code
where s.year = :year
