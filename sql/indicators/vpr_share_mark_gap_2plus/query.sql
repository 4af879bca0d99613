select school_code,
       count(*) filter (where abs(mark - journal_mark) >= 2) as numerator,
       count(*)                                              as denominator
from core.vpr_result
where year = :year
  and journal_mark is not null
group by school_code
