-- Each cluster of comparable schools (see the analysis) as a reference level, computed like the other
-- levels: a ratio of the cluster schools' summed numerators and denominators.
select st.cluster, v.indicator_code,
       case when sum(v.denominator) > 0 then sum(v.numerator)::numeric / sum(v.denominator) * c.scale end as value
from mart.indicator_values v
join mart.school_status st on st.year = v.year and st.school_code = v.unit_code
join core.indicator c using (indicator_code)
where v.year = :year and v.level = 'school' and c.aggregation = 'ratio_of_sums' and st.cluster is not null
group by st.cluster, v.indicator_code, c.scale
