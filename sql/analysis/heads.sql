-- The year's heads.* rows the analysis reads (the competence assessment's result and date).
select school_code, competence_result, assessed_on
from core.head
where year = :year
order by school_code
