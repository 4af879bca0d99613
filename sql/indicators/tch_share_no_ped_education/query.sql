select s.school_code,
       count(t.teacher_hash) filter (where not t.pedagogical_education) as numerator,
       count(t.teacher_hash)                                            as denominator
from core.school s
left join core.teacher t on t.year = s.year and t.school_code = s.school_code
where s.year = :year
group by s.school_code
