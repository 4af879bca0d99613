-- The given schools' recommendations of the year (:school_codes).
select unit_code, recommendation_code, text_ru, basis_ru, due_date
from mart.recommendations
where year = :year and unit_code = any(:school_codes) and level = 'school'
order by unit_code, recommendation_code
