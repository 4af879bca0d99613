-- Every goal of the year: the region's and the municipalities'.
select level, unit_code, indicator_code, name_ru, unit, goal_ru, target, value, achieved, gap, shortfall,
       proposed_next, evidence_ru
from mart.target_achievement
where year = :year
order by level desc, indicator_code, unit_code
