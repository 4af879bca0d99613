with olympiad as (
    select school_code, count(distinct participant_hash) as counted
    from core.olympiad_result
    where year = :year and stage in ('региональный', 'заключительный')
    group by school_code
)
select s.school_code,
       coalesce(o.counted, 0) as numerator,
       s.students             as denominator
from core.school s
left join olympiad o on o.school_code = s.school_code
where s.year = :year
