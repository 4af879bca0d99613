-- The recommendations to the municipal authority.
select recommendation_code, text_ru, basis_ru, due_date
from mart.recommendations
where year = :year and level = 'municipality' and unit_code = :municipality_code
order by recommendation_code
