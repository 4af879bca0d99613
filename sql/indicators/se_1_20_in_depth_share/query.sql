-- The school's own figures from its self-evaluation form (long form: one row per item of the form).
with form as (
    select school_code,
           max(count_value) filter (where indicator_code = '1.1') as pupils,
           max(count_value) filter (where indicator_code = '1.20') as counted
    from core.self_evaluation
    where year = :year and indicator_code in ('1.1', '1.20')
    group by school_code
)
select s.school_code,
       case when f.pupils > 0 and f.counted is not null then f.counted else 0 end as numerator,
       case when f.pupils > 0 and f.counted is not null then f.pupils else 0 end  as denominator
from core.school s
left join form f on f.school_code = s.school_code
where s.year = :year
