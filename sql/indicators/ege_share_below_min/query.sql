-- One result per participant and subject: the first attempt that counts. Annulled results count
-- nowhere; a retake («пересдача») replaces nothing and stands only where the main result was annulled.
with attempts as (
    select g.school_code, g.subject, g.test_score,
           row_number() over (partition by g.school_code, g.participant_hash, g.exam_form, g.subject
                              order by g.exam_date, g.status = 'пересдача', g.load_id, g.row_number) as attempt
    from core.gia_result g
    where g.year = :year and g.exam_form = 'ЕГЭ' and g.status <> 'аннулирован'
      and g.test_score is not null
),
-- Only subjects whose minimum test score the year's gia_thresholds states can be judged.
scored as (
    select a.school_code, a.test_score, t.min_test_score
    from attempts a
    join core.gia_threshold t on t.year = :year and t.exam_form = 'ЕГЭ' and t.subject = a.subject
    where a.attempt = 1 and t.min_test_score is not null
)
select s.school_code,
       count(r.test_score) filter (where r.test_score < r.min_test_score) as numerator,
       count(r.test_score)                                                as denominator
from core.school s
left join scored r on r.school_code = s.school_code
where s.year = :year
group by s.school_code
