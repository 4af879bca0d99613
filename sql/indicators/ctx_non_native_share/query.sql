-- The school's stated share weighs by its pupils: municipality and region values are shares of all
-- their pupils. Schools that left the share empty count in neither sum.
select school_code,
       case when non_native_pct is not null then non_native_pct * students / 100 else 0 end as numerator,
       case when non_native_pct is not null then students else 0 end                        as denominator
from core.school
where year = :year
