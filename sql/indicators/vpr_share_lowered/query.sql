-- ВПР works counted by mark and journal mark (sql/indicators/_aggregates/vpr_marks.sql).
select school_code,
       coalesce(sum(works) filter (where mark < journal_mark), 0) as numerator,
       sum(works) as denominator
from vpr_marks
where year = :year
  and journal_mark is not null
group by school_code
