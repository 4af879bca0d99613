-- The average the school states against the one its pupils' ЕГЭ results give.
with form as (
    select school_code, count_value as reported
    from core.self_evaluation
    where year = :year and indicator_code = '1.9' and count_value is not null
),
-- One result per participant and subject: the first attempt that counts with a test score
-- (sql/indicators/_aggregates/gia_attempts.sql, first_scored).
attempts as (
    select school_code, test_score
    from gia_attempts
    where first_scored and exam_form = 'ЕГЭ' and subject = 'Математика профильная'
),
computed as (
    select school_code, avg(test_score) as average
    from attempts
    group by school_code
)
select s.school_code,
       coalesce(abs(f.reported - c.average), 0)                                     as numerator,
       case when f.reported is not null and c.average is not null then 1 else 0 end as denominator
from core.school s
left join form f on f.school_code = s.school_code
left join computed c on c.school_code = s.school_code
where s.year = :year
