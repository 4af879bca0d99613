-- The successful practices each of the given schools (:school_codes) carries.
select school_code, practice_code, practice_name_ru, evidence_ru
from mart.successful_practices
where year = :year and school_code = any(:school_codes)
order by school_code, practice_code
