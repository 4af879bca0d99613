-- The municipality's schools at risk on each factor of the risk profile.
select p.school_code, coalesce(s.school_name, 'ОО ' || s.school_code) as school_name, p.risk_factor_code,
       p.risk_factor_name_ru
from mart.school_risk_profile p
join core.school s on s.year = p.year and s.school_code = p.school_code
where p.year = :year and s.municipality_code = :municipality_code and p.at_risk
order by p.risk_factor_code, p.school_code
