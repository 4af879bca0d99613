-- The year's schools with their context (schools.*) and municipality name. A school kept with an empty name
-- (its cell broke a rule: mart.data_issues) is named by its code.
select s.school_code, coalesce(s.school_name, 'ОО ' || s.school_code) as school_name, s.municipality_code, m.municipality_name, s.school_type, s.locality,
       s.students, s.low_income_pct, s.non_native_pct, s.disability_pct, s.head_name, s.head_appointed_on
from core.school s
left join core.municipality m on m.year = s.year and m.municipality_code = s.municipality_code
where s.year = :year
order by s.school_code
