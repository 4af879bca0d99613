-- A school counts 1 when its head has a competence result assessed within five years of 31 December.
select s.school_code,
       case when h.competence_result is not null and h.assessed_on > make_date(:year, 12, 31) - interval '5 years'
            then 1 else 0 end                               as numerator,
       case when h.school_code is not null then 1 else 0 end as denominator
from core.school s
left join core.head h on h.year = s.year and h.school_code = s.school_code
where s.year = :year
