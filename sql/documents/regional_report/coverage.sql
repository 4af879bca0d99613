-- Which analyses the year's data allow, and what the others lack (mart.analysis_coverage).
select position, analysis_code, name_ru, done, missing_ru
from mart.analysis_coverage
where year = :year
order by position
