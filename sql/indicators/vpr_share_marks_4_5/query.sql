select school_code,
       count(*) filter (where mark >= 4) as numerator,
       count(*)                          as denominator
from core.vpr_result
where year = :year
group by school_code
