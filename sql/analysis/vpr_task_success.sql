-- ВПР task points by school × subject × grade × task for one year: the works and the points scored on
-- each task (a blank task scores 0), and the most any work scored on it (the task's maximum is not stored:
-- over a region's works the highest score seen is the maximum). Only schools of the year's reference count
-- (as in the indicators).
select v.school_code, v.subject, v.grade, t.key as task,
       count(*)                                   as works,
       sum(coalesce(t.value::integer, 0))         as points,
       max(coalesce(t.value::integer, 0))         as max_points
from core.vpr_result v
join core.school s on s.year = v.year and s.school_code = v.school_code
cross join lateral jsonb_each_text(v.task_scores) as t(key, value)
where v.year = :year
group by v.school_code, v.subject, v.grade, t.key
order by v.school_code, v.subject, v.grade, t.key
