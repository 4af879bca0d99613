-- The school's own figures from its self-evaluation form (long form: one row per item of the form).
with form as (
    select school_code,
           max(count_value) filter (where indicator_code = '1.1') as pupils,
           max(share_value) filter (where indicator_code = '1.5') as share
    from core.self_evaluation
    where year = :year and indicator_code in ('1.1', '1.5')
    group by school_code
)
-- The stated share weighs by the school's pupils, so a municipality's value is a share of all its pupils.
select s.school_code,
       case when f.pupils > 0 and f.share is not null then f.share * f.pupils / 100 else 0 end as numerator,
       case when f.pupils > 0 and f.share is not null then f.pupils else 0 end                 as denominator
from core.school s
left join form f on f.school_code = s.school_code
where s.year = :year
