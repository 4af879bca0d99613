-- One result per participant and subject: the first attempt that counts. Annulled results count
-- nowhere; a retake («пересдача») replaces nothing and stands only where the main result was annulled.
with attempts as (
    select g.school_code, g.subject, g.test_score,
           row_number() over (partition by g.school_code, g.participant_hash, g.exam_form, g.subject
                              order by g.exam_date, g.status = 'пересдача', g.load_id, g.row_number) as attempt
    from core.gia_result g
    where g.year = :year and g.exam_form = 'ЕГЭ' and g.status <> 'аннулирован'
      and g.subject = 'Русский язык' and g.test_score is not null
)
select s.school_code,
       coalesce(sum(a.test_score) filter (where a.attempt = 1), 0) as numerator,
       count(a.test_score) filter (where a.attempt = 1)            as denominator
from core.school s
left join attempts a on a.school_code = s.school_code
where s.year = :year
group by s.school_code
