-- ГИА of the year, one result per participant, exam form and subject: the first attempt that counts. Annulled
-- results count nowhere; a retake («пересдача») replaces nothing and stands only where the main result was
-- annulled. Sorting the year's results into attempts once, not once per indicator, is most of what the ГИА
-- indicators cost. indicators/compute.py creates it as the temporary table `gia_first_attempts`.
select school_code, participant_hash, exam_form, subject, mark, test_score
from (
    select g.school_code, g.participant_hash, g.exam_form, g.subject, g.mark, g.test_score,
           row_number() over (partition by g.school_code, g.participant_hash, g.exam_form, g.subject
                              order by g.exam_date, g.status = 'пересдача', g.load_id, g.row_number) as attempt
    from core.gia_result g
    where g.year = :year and g.status <> 'аннулирован'
) a
where attempt = 1
