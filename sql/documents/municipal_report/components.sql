-- What the municipality's score is made of: each indicator of the score, its value against the region's,
-- its signed z in the score (null: left out), whether it is built on ВПР.
select indicator_code, name_ru, polarity, value, region_value, rating_z, vpr_based
from mart.municipality_indicator_gaps
where year = :year and municipality_code = :municipality_code
order by rating_z nulls last, indicator_code
