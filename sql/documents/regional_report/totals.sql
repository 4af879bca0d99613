-- How many schools the analysis found with each status.
select count(*) as schools, count(*) filter (where low_results) as low,
       count(*) filter (where unfavorable_conditions) as unfavorable,
       count(*) filter (where biased_results_suspected) as biased
from mart.school_status
where year = :year
