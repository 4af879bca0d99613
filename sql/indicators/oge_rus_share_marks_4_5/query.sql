-- One result per participant and subject: the first attempt that counts. Annulled results count
-- nowhere; a retake («пересдача») replaces nothing and stands only where the main result was annulled.
with attempts as (
    select g.school_code, g.subject, g.mark,
           row_number() over (partition by g.school_code, g.participant_hash, g.exam_form, g.subject
                              order by g.exam_date, g.status = 'пересдача', g.load_id, g.row_number) as attempt
    from core.gia_result g
    where g.year = :year and g.exam_form = 'ОГЭ' and g.status <> 'аннулирован'
      and g.subject = 'Русский язык'
)
select s.school_code,
       count(a.mark) filter (where a.attempt = 1 and a.mark >= 4) as numerator,
       count(a.mark) filter (where a.attempt = 1)                 as denominator
from core.school s
left join attempts a on a.school_code = s.school_code
where s.year = :year
group by s.school_code
