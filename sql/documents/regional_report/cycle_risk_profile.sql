-- The municipalities' risk profiles: one row per municipality and sign.
select municipality_code, risk_factor_code, risk_factor_name_ru, value, region_value, at_risk
from mart.municipality_risk_profile
where year = :year
order by municipality_code, risk_factor_code
