-- One result per participant and subject: the first attempt that counts with a test score
-- (sql/indicators/_aggregates/gia_attempts.sql, first_scored).
with attempts as (
    select school_code, subject, test_score
    from gia_attempts
    where first_scored and exam_form = 'ЕГЭ' and subject = 'Математика профильная'
)
select s.school_code,
       coalesce(sum(a.test_score), 0) as numerator,
       count(a.test_score) as denominator
from core.school s
left join attempts a on a.school_code = s.school_code
where s.year = :year
group by s.school_code
