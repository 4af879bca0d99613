-- Works around the mark boundaries of the year's ВПР scale, by school × subject × grade.
-- For each boundary b (the lowest primary score of «3», «4», «5»): `at` counts works scoring b … b+1,
-- `below` b−2 … b−1 and `above` b+2 … b+3, summed over the three boundaries (a work may sit in the
-- windows of two close boundaries, once in each).
select v.school_code, v.subject, v.grade,
       count(*) filter (where v.primary_score between b.score and b.score + 1)     as at_boundary,
       count(*) filter (where v.primary_score between b.score - 2 and b.score - 1) as below,
       count(*) filter (where v.primary_score between b.score + 2 and b.score + 3) as above
from core.vpr_result v
join core.school s on s.year = v.year and s.school_code = v.school_code
join core.vpr_scale sc on sc.year = v.year and sc.subject = v.subject and sc.grade = v.grade
cross join lateral (values (sc.min_score_3), (sc.min_score_4), (sc.min_score_5)) as b(score)
where v.year = :year
group by v.school_code, v.subject, v.grade
order by v.school_code, v.subject, v.grade
