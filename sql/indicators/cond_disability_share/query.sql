-- The school's stated share weighs by its pupils: municipality and region values are shares of all
-- their pupils. Schools that left the share empty count in neither sum.
select school_code,
       case when disability_pct is not null then disability_pct * students / 100 else 0 end as numerator,
       case when disability_pct is not null then students else 0 end                        as denominator
from core.school
where year = :year
