-- Every school's heads' monitoring over its nine directions: score (empty: no data), deficit, evidence.
select school_code, direction_code, direction_name_ru, score, deficit, evidence_ru
from mart.head_effectiveness
where year = :year
order by school_code, direction_code
