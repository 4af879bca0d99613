select school_code,
       count(*) filter (where mark > journal_mark) as numerator,
       count(*)                                     as denominator
from core.vpr_result
where year = :year
  and journal_mark is not null
group by school_code
