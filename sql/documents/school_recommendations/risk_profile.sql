-- Every school's risk profile: each federal risk factor at risk, not at risk or without data, with its evidence.
select school_code, risk_factor_code, risk_factor_name_ru, at_risk, evidence_ru
from mart.school_risk_profile
where year = :year
order by school_code, risk_factor_code
