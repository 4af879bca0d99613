-- One result per participant and subject: the first attempt that counts with a test score
-- (sql/indicators/_aggregates/gia_attempts.sql, first_scored).
with attempts as (
    select school_code, subject, test_score
    from gia_attempts
    where first_scored and exam_form = 'ЕГЭ'
),
-- Only subjects whose minimum test score the year's gia_thresholds states can be judged.
scored as (
    select a.school_code, a.test_score, t.min_test_score
    from attempts a
    join core.gia_threshold t on t.year = :year and t.exam_form = 'ЕГЭ' and t.subject = a.subject
    where t.min_test_score is not null
)
select s.school_code,
       count(r.test_score) filter (where r.test_score < r.min_test_score) as numerator,
       count(r.test_score)                                                as denominator
from core.school s
left join scored r on r.school_code = s.school_code
where s.year = :year
group by s.school_code
