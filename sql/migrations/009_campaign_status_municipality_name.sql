-- mart.campaign_status gains the municipality's name (at the end: published views only gain columns), so the
-- campaign page in Airflow reads mart only, as the read-only role edu_analyst, never core.
create or replace view mart.campaign_status as
with sources(source, source_name_ru, required) as (
    values ('vpr', 'ВПР', true), ('gia', 'ГИА (ОГЭ/ЕГЭ/ГВЭ)', true),
           ('self_evaluation', 'самообследование', true), ('teachers', 'педагогические работники', false),
           ('olympiads', 'олимпиады', false)
),
received as (
    select year, school_code, 'vpr' as source, count(*) as rows from core.vpr_result group by 1, 2
    union all
    select year, school_code, 'gia', count(*) from core.gia_result group by 1, 2
    union all
    select year, school_code, 'self_evaluation', count(*) from core.self_evaluation group by 1, 2
    union all
    select year, school_code, 'teachers', count(*) from core.teacher group by 1, 2
    union all
    select year, school_code, 'olympiads', count(*) from core.olympiad_result group by 1, 2
),
quality as (
    select year, source, sum(rows_read) as rows_read, sum(rows_quarantined) as rows_quarantined,
           count(*) filter (where status = 'rejected') as files_rejected
    from core.load_log
    where status in ('loaded', 'rejected')
    group by 1, 2
)
select s.year, s.school_code, s.municipality_code, s.school_name, s.head_name,
       src.source, src.source_name_ru,
       -- A primary school (НОШ) has no graduates of grades 9 or 11: ГИА is not expected from it.
       src.required and not (src.source = 'gia' and s.school_type = 'НОШ') as required,
       coalesce(r.rows, 0) > 0 as received,
       coalesce(r.rows, 0) as rows,
       make_date(s.year + 1, 2, 1) as deadline,
       make_date(s.year + 1, 2, 1) - current_date as days_to_deadline,
       q.rows_read as source_rows_read, q.rows_quarantined as source_rows_quarantined,
       case when q.rows_read > 0 then q.rows_quarantined::numeric / q.rows_read * 100 end as source_quarantined_pct,
       q.files_rejected as source_files_rejected,
       m.municipality_name
from core.school s
cross join sources src
left join received r on r.year = s.year and r.school_code = s.school_code and r.source = src.source
left join quality q on q.year = s.year and q.source = src.source
left join core.municipality m on m.year = s.year and m.municipality_code = s.municipality_code;
comment on column mart.campaign_status.municipality_name is 'Наименование МО школы';
