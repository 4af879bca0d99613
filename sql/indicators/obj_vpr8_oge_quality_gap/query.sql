-- The same pupils a year apart: ВПР in grade 8 last spring, ОГЭ in grade 9 this year. ВПР results far
-- above what the same cohort then gets at the externally supervised ОГЭ point to a ВПР not checked
-- objectively. The first ratio is ВПР's (numerator, denominator), the one subtracted is ОГЭ's.
with vpr8 as (
    select school_code, coalesce(sum(works) filter (where mark >= 4), 0) as good, sum(works) as works
    from vpr_marks
    where year = :year - 1 and grade = 8 and subject in ('Русский язык', 'Математика')
    group by school_code
),
-- ОГЭ: one result per participant and subject, the first attempt that counts
-- (sql/indicators/_aggregates/gia_attempts.sql, first_attempt).
attempts as (
    select school_code, subject, mark
    from gia_attempts
    where first_attempt and exam_form = 'ОГЭ' and subject in ('Русский язык', 'Математика')
),
oge as (
    select school_code, count(*) filter (where mark >= 4) as good, count(*) as results
    from attempts
    group by school_code
)
select s.school_code,
       coalesce(v.good, 0)    as numerator,
       coalesce(v.works, 0)   as denominator,
       coalesce(o.good, 0)    as numerator_2,
       coalesce(o.results, 0) as denominator_2
from core.school s
left join vpr8 v on v.school_code = s.school_code
left join oge o on o.school_code = s.school_code
where s.year = :year
