-- A school counts 1 when its head has held office under three full years on 31 December of the year.
select school_code,
       case when head_appointed_on is not null
             and age(make_date(:year, 12, 31), head_appointed_on) < interval '3 years'
            then 1 else 0 end                                    as numerator,
       case when head_appointed_on is not null then 1 else 0 end as denominator
from core.school
where year = :year
