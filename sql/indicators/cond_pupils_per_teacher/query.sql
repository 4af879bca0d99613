-- Pupils from the schools reference, staff from teachers.*; a school without staff rows counts in
-- neither sum.
with staff as (
    select school_code, count(*) as teachers
    from core.teacher
    where year = :year
    group by school_code
)
select s.school_code,
       case when st.teachers > 0 then s.students else 0 end as numerator,
       coalesce(st.teachers, 0)                             as denominator
from core.school s
left join staff st on st.school_code = s.school_code
where s.year = :year
