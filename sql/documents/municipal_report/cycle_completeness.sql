-- Completeness of the municipality's management cycle, per mechanism of quality management.
select mechanism_code, mechanism_name_ru, goals_set, indicators_computed, monitoring_received, analysis_done,
       recommendations_sent, measures_recorded, effect_analysed, steps_done
from mart.management_cycle
where year = :year and municipality_code = :municipality_code
order by mechanism_code
