-- The municipality and region values, looked up by the caller rather than joined: the indicator view
-- joined to the school tables (row security on both) made the planner choose plans that took minutes
-- for a 900-school region; the view alone answers in a tenth of a second.
select level, unit_code, indicator_code, value
from mart.indicator_values
where year = :year and level in ('municipality', 'region')
