-- ОГЭ by school × subject for one year: one result per participant and subject, the first attempt that
-- counts (annulled results count nowhere; a retake stands only where the main result was annulled) —
-- the same rule as the ОГЭ indicators of the catalogue.
with attempts as (
    select g.school_code, g.subject, g.mark,
           row_number() over (partition by g.school_code, g.participant_hash, g.exam_form, g.subject
                              order by g.exam_date, g.status = 'пересдача', g.load_id, g.row_number) as attempt
    from core.gia_result g
    join core.school s on s.year = g.year and s.school_code = g.school_code
    where g.year = :year and g.exam_form = :form and g.status <> 'аннулирован' and g.mark is not null
)
select school_code, subject,
       count(*)                             as results,
       count(*) filter (where mark = 2)     as marks_2,
       count(*) filter (where mark >= 4)    as marks_4_5
from attempts
where attempt = 1
group by school_code, subject
