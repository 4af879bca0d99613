-- The school's own figures from its self-evaluation form (long form: one row per item of the form).
with form as (
    select school_code,
           max(count_value) filter (where indicator_code = '1.1') as pupils,
           max(count_value) filter (where indicator_code = '2.6') as per_pupil
    from core.self_evaluation
    where year = :year and indicator_code in ('1.1', '2.6')
    group by school_code
)
-- The form states a per-pupil figure; times the pupils it is the school's total, so municipality and
-- region values are their totals per pupil.
select s.school_code,
       case when f.pupils > 0 and f.per_pupil is not null then f.per_pupil * f.pupils else 0 end as numerator,
       case when f.pupils > 0 and f.per_pupil is not null then f.pupils else 0 end               as denominator
from core.school s
left join form f on f.school_code = s.school_code
where s.year = :year
