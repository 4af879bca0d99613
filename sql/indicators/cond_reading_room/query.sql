-- A school counts 1 when its form says «да»; a school that left the item empty counts nowhere.
select s.school_code,
       case when f.flag_value then 1 else 0 end             as numerator,
       case when f.flag_value is not null then 1 else 0 end as denominator
from core.school s
left join core.self_evaluation f
       on f.year = s.year and f.school_code = s.school_code and f.indicator_code = '2.4'
where s.year = :year
