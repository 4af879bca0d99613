-- The municipality's schools, best first by the ranking indicator, with the distribution indicator and
-- the analysis's statuses and evidence.
select s.school_code, coalesce(s.school_name, 'ОО ' || s.school_code) as school_name, s.locality, s.students, v.value as ranking_value,
       d.value as distribution_value, st.low_results, st.unfavorable_conditions, st.biased_results_suspected,
       st.low_results_evidence_ru, st.biased_evidence_ru, st.unfavorable_evidence_ru, st.cluster_name_ru,
       st.head_effectiveness_score
from core.school s
left join mart.indicator_values v on v.year = s.year and v.level = 'school' and v.unit_code = s.school_code
  and v.indicator_code = :ranking_indicator
left join mart.indicator_values d on d.year = s.year and d.level = 'school' and d.unit_code = s.school_code
  and d.indicator_code = :distribution_indicator
left join mart.school_status st on st.year = s.year and st.school_code = s.school_code
where s.year = :year and s.municipality_code = :municipality_code
order by v.value desc nulls last, s.school_code
