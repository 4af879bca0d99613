-- ОГЭ results by school × subject × primary score for one year (the first attempt that counts, as in
-- oge_subjects.sql), with the year's boundaries of «3», «4», «5» (core.gia_threshold) and the highest
-- primary score in the region as the scale's maximum: the bunching estimate at the ОГЭ boundaries.
-- `grade` is 9, so the rows have the shape of vpr_score_distribution.sql.
with attempts as (
    select g.school_code, g.subject, g.primary_score,
           row_number() over (partition by g.school_code, g.participant_hash, g.exam_form, g.subject
                              order by g.exam_date, g.status = 'пересдача', g.load_id, g.row_number) as attempt
    from core.gia_result g
    join core.school s on s.year = g.year and s.school_code = g.school_code
    where g.year = :year and g.exam_form = 'ОГЭ' and g.status <> 'аннулирован'
),
counted as (
    select school_code, subject, primary_score, count(*) as works
    from attempts
    where attempt = 1
    group by school_code, subject, primary_score
)
select c.school_code, c.subject, 9 as grade, c.primary_score, c.works,
       t.min_score_3, t.min_score_4, t.min_score_5,
       max(c.primary_score) over (partition by c.subject) as max_score
from counted c
join core.gia_threshold t on t.year = :year and t.exam_form = 'ОГЭ' and t.subject = c.subject
where t.min_score_3 is not null and t.min_score_4 is not null and t.min_score_5 is not null
order by c.school_code, c.subject, c.primary_score
