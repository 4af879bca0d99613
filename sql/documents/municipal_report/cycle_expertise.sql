-- The in-depth expertise: on what basis the municipality was (not) chosen, with both signals.
select basis, selected, reason_ru, monitoring_percent, monitoring_rank, product_score, product_rank
from mart.municipal_expertise
where year = :year and municipality_code = :municipality_code
