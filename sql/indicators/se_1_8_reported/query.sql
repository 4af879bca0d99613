select s.school_code,
       coalesce(f.count_value, 0)                            as numerator,
       case when f.count_value is not null then 1 else 0 end as denominator
from core.school s
left join core.self_evaluation f
       on f.year = s.year and f.school_code = s.school_code and f.indicator_code = '1.8'
where s.year = :year
