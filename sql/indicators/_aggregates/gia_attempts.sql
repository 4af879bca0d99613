-- ГИА of the year, per participant, exam form and subject: the first attempt that counts (first_attempt) and the
-- first attempt with a test score (first_scored: ЕГЭ averages and shares by test score), both from one sort of the
-- year's results. Annulled results count nowhere; a retake («пересдача») replaces nothing and stands only where the
-- main result was annulled. indicators/compute.py creates it as the temporary table `gia_attempts`.
select school_code, participant_hash, exam_form, subject, mark, test_score, first_attempt, first_scored
from (
    select g.school_code, g.participant_hash, g.exam_form, g.subject, g.mark, g.test_score,
           row_number() over w = 1                                  as first_attempt,
           g.test_score is not null and count(g.test_score) over w = 1 as first_scored
    from core.gia_result g
    where g.year = :year and g.status <> 'аннулирован'
    window w as (partition by g.school_code, g.participant_hash, g.exam_form, g.subject
                 order by g.exam_date, g.status = 'пересдача', g.load_id, g.row_number
                 rows between unbounded preceding and current row)
) a
where first_attempt or first_scored
