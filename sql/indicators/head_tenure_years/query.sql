-- Full years in office on 31 December of the monitoring year, the date the campaign's data describe;
-- a head appointed after it counts 0.
select school_code,
       case when head_appointed_on is not null
            then greatest(extract(year from age(make_date(:year, 12, 31), head_appointed_on)), 0)
            else 0 end                                           as numerator,
       case when head_appointed_on is not null then 1 else 0 end as denominator
from core.school
where year = :year
