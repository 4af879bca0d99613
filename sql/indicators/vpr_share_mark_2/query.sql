-- ВПР works counted by mark and journal mark (sql/indicators/_aggregates/vpr_marks.sql).
select school_code,
       coalesce(sum(works) filter (where mark = 2), 0) as numerator,
       sum(works) as denominator
from vpr_marks
where year = :year
group by school_code
