-- Which of the given indicators have a value for at least one school of the municipality.
select distinct v.indicator_code
from mart.indicator_values v
where v.year = :year and v.level = 'school' and v.municipality_code = :municipality_code
  and v.indicator_code = any(:indicator_codes) and v.value is not null
