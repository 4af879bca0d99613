-- Headline indicator values of every municipality and of the region.
select unit_code, indicator_code, value
from mart.indicator_values
where year = :year and level in ('municipality', 'region') and indicator_code = any(:indicator_codes)
