-- The given schools' statuses of the analysis (:school_codes), with their evidence in Russian.
select school_code, low_results, low_results_evidence_ru, unfavorable_conditions, unfavorable_evidence_ru,
       biased_results_suspected, biased_evidence_ru, successful_practice, head_effectiveness_score
from mart.school_status
where year = :year and school_code = any(:school_codes)
order by school_code
