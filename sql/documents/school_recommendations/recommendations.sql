-- Every school's recommendations of the year.
select unit_code, recommendation_code, text_ru, basis_ru, due_date
from mart.recommendations
where year = :year and level = 'school'
order by unit_code, recommendation_code
