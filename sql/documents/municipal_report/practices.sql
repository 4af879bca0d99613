-- Successful practices found in the municipality's schools.
select p.school_code, coalesce(s.school_name, 'ОО ' || s.school_code) as school_name, p.practice_name_ru, p.evidence_ru
from mart.successful_practices p
join core.school s on s.year = p.year and s.school_code = p.school_code
where p.year = :year and p.municipality_code = :municipality_code
order by p.school_code, p.practice_code
