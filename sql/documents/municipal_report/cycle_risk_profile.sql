-- The municipality's own risk profile against the region.
select risk_factor_code, risk_factor_name_ru, value, region_value, at_risk, evidence_ru
from mart.municipality_risk_profile
where year = :year and municipality_code = :municipality_code
order by risk_factor_code
