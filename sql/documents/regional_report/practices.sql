-- Successful practices of the whole region.
select p.municipality_code, p.school_code, coalesce(s.school_name, 'ОО ' || s.school_code) as school_name, p.practice_name_ru, p.evidence_ru
from mart.successful_practices p
join core.school s on s.year = p.year and s.school_code = p.school_code
where p.year = :year
order by 1, 2
