-- The year's goals of the municipality and of the region: achieved or not, by how much, next year's proposal.
select level, unit_code, indicator_code, name_ru, unit, goal_ru, target, value, achieved, gap, shortfall,
       proposed_next, evidence_ru
from mart.target_achievement
where year = :year and (unit_code = :municipality_code or level = 'region')
order by level desc, indicator_code
