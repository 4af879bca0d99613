-- The average the school states against the one its pupils' ЕГЭ results give.
with form as (
    select school_code, count_value as reported
    from core.self_evaluation
    where year = :year and indicator_code = '1.8' and count_value is not null
),
-- One result per participant and subject: the first attempt that counts. Annulled results count
-- nowhere; a retake («пересдача») replaces nothing and stands only where the main result was annulled.
attempts as (
    select g.school_code, g.test_score,
           row_number() over (partition by g.school_code, g.participant_hash, g.exam_form, g.subject
                              order by g.exam_date, g.status = 'пересдача', g.load_id, g.row_number) as attempt
    from core.gia_result g
    where g.year = :year and g.exam_form = 'ЕГЭ' and g.status <> 'аннулирован'
      and g.subject = 'Русский язык' and g.test_score is not null
),
computed as (
    select school_code, avg(test_score) as average
    from attempts
    where attempt = 1
    group by school_code
)
select s.school_code,
       coalesce(abs(f.reported - c.average), 0)                                     as numerator,
       case when f.reported is not null and c.average is not null then 1 else 0 end as denominator
from core.school s
left join form f on f.school_code = s.school_code
left join computed c on c.school_code = s.school_code
where s.year = :year
