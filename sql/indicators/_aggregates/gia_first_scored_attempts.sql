-- As gia_first_attempts, among the results with a test score only (ЕГЭ averages and shares by test score): the
-- first attempt that has a score. indicators/compute.py creates it as the temporary table
-- `gia_first_scored_attempts`.
select school_code, participant_hash, exam_form, subject, mark, test_score
from (
    select g.school_code, g.participant_hash, g.exam_form, g.subject, g.mark, g.test_score,
           row_number() over (partition by g.school_code, g.participant_hash, g.exam_form, g.subject
                              order by g.exam_date, g.status = 'пересдача', g.load_id, g.row_number) as attempt
    from core.gia_result g
    where g.year = :year and g.status <> 'аннулирован' and g.test_score is not null
) a
where attempt = 1
