-- The successful practices each school carries.
select school_code, practice_code, practice_name_ru, evidence_ru
from mart.successful_practices
where year = :year
order by school_code, practice_code
