-- Each school's position against the distribution of the region's schools (the share of the region's schools
-- with a lower value), not a rank: ВПР results are not for ratings.
with ranked as (
    select v.unit_code as school_code, v.indicator_code, v.value,
           percent_rank() over (partition by v.indicator_code order by v.value) as below
    from mart.indicator_values v
    where v.year = :year and v.level = 'school' and v.indicator_code = any(:indicator_codes)
      and v.value is not null
)
select s.school_code, coalesce(s.school_name, 'ОО ' || s.school_code) as school_name, r.indicator_code,
       i.polarity, r.value, r.below
from core.school s
left join ranked r on r.school_code = s.school_code
left join core.indicator i on i.indicator_code = r.indicator_code
where s.year = :year and s.municipality_code = :municipality_code
order by s.school_code, r.indicator_code
