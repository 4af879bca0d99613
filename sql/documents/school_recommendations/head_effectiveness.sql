-- The given schools' heads' monitoring over the nine directions (:school_codes): score (empty: no data),
-- deficit, evidence.
select school_code, direction_code, direction_name_ru, score, deficit, evidence_ru
from mart.head_effectiveness
where year = :year and school_code = any(:school_codes)
order by school_code, direction_code
