select school_code,
       sum(mark)  as numerator,
       count(*)   as denominator
from core.vpr_result
where year = :year
group by school_code
