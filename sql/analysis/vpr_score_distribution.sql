-- ВПР works by school × subject × grade × primary score for one year, with the scale's boundaries (the
-- lowest primary score of «3», «4», «5») and maximum: the bunching estimate fits the school's
-- distribution away from the boundaries. Only schools of the year's reference count.
select v.school_code, v.subject, v.grade, v.primary_score, count(*) as works,
       sc.min_score_3, sc.min_score_4, sc.min_score_5, sc.max_score
from core.vpr_result v
join core.school s on s.year = v.year and s.school_code = v.school_code
join core.vpr_scale sc on sc.year = v.year and sc.subject = v.subject and sc.grade = v.grade
where v.year = :year
group by v.school_code, v.subject, v.grade, v.primary_score, sc.min_score_3, sc.min_score_4, sc.min_score_5,
         sc.max_score
order by v.school_code, v.subject, v.grade, v.primary_score
