-- Rows of described sources resolved to schools of the year, by source, status, rule and kind of organisation.
select source, status, rule, institution_kind, count(*) as rows, count(distinct school_code) as schools
from mart.school_match
where year = :year
group by source, status, rule, institution_kind
order by source, status, rule, institution_kind
