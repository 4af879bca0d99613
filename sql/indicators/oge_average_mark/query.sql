-- One result per participant and subject: the first attempt that counts
-- (sql/indicators/_aggregates/gia_attempts.sql, first_attempt).
with attempts as (
    select school_code, subject, mark
    from gia_attempts
    where first_attempt and exam_form = 'ОГЭ'
)
select s.school_code,
       coalesce(sum(a.mark), 0) as numerator,
       count(a.mark) as denominator
from core.school s
left join attempts a on a.school_code = s.school_code
where s.year = :year
group by s.school_code
