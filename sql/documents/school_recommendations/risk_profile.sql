-- The given schools' risk profiles (:school_codes, the documents being written): each federal risk factor at
-- risk, not at risk or without data, with its evidence.
select school_code, risk_factor_code, risk_factor_name_ru, at_risk, evidence_ru
from mart.school_risk_profile
where year = :year and school_code = any(:school_codes)
order by school_code, risk_factor_code
