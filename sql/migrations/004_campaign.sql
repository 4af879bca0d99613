-- The annual campaign: finished cycles, deadline checks, what each school has sent, follow-up.

-- One row per finished run of the annual cycle (written by its last step).
create table core.cycle_run (
    year        integer     not null,
    run_id      text        not null,
    finished_at timestamptz not null default now(),
    summary     jsonb       not null,
    primary key (year, run_id)
);

-- One row per deadline check of a campaign (the watch DAG runs daily).
create table core.deadline_check (
    year       integer     not null,
    checked_on date        not null,
    deadline   date        not null,
    days_left  integer     not null,
    status     text        not null check (status in ('finished', 'on_track', 'at_risk', 'missed')),
    message_ru text        not null,
    primary key (year, checked_on)
);

create view mart.campaign_deadline as
select c.year, c.checked_on, c.deadline, c.days_left, c.status, c.message_ru
from core.deadline_check c;
comment on view mart.campaign_deadline is
    'Проверки срока кампании мониторинга (до 1 февраля следующего года): сколько дней осталось и статус.';
comment on column mart.campaign_deadline.status is
    'finished — цикл завершён; on_track — в срок; at_risk — срок близко, цикл не завершён; missed — срок пропущен';

-- What each school of the year's reference has sent, per source that is collected from schools.
create view mart.campaign_status as
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
       q.files_rejected as source_files_rejected
from core.school s
cross join sources src
left join received r on r.year = s.year and r.school_code = s.school_code and r.source = src.source
left join quality q on q.year = s.year and q.source = src.source;
comment on view mart.campaign_status is
    'Ход кампании: какие источники прислала каждая школа, сколько дней до 1 февраля, качество данных по источнику.';

create view mart.campaign_reminders as
select year, municipality_code, school_code, school_name, head_name,
       string_agg(source_name_ru, ', ' order by source) as missing_sources,
       min(days_to_deadline) as days_to_deadline
from mart.campaign_status
where required and not received
group by year, municipality_code, school_code, school_name, head_name;
comment on view mart.campaign_reminders is
    'Напоминания: школы, не приславшие обязательные источники, с перечнем источников и днями до срока.';

-- Follow-up of the year's recommendations: the school's measures (measures.* of the same or the next
-- year's inbox, which records what was done on last year's recommendations) against the due date.
create view mart.follow_up as
with measures as (
    select m.unit_code, m.recommendation_code, m.year as measure_year, m.measure, m.responsible, m.due_date,
           m.done, m.level
    from core.measure m
)
select r.year, r.level, r.unit_code, r.recommendation_code, r.due_date as recommendation_due,
       m.measure, m.responsible, m.due_date as measure_due, m.done,
       case
           when m.done then 'выполнено'
           when m.measure is null and current_date > r.due_date then 'нет плана мероприятий'
           when m.measure is null then 'ожидается план мероприятий'
           when current_date > m.due_date then 'просрочено'
           else 'в работе'
       end as status_ru,
       (m.measure is null and current_date > r.due_date) or (not coalesce(m.done, false)
           and m.due_date is not null and current_date > m.due_date) as late
from core.recommendation r
left join measures m
       on m.unit_code = r.unit_code and m.recommendation_code = r.recommendation_code
      and m.measure_year in (r.year, r.year + 1)
      and m.level = case r.level when 'school' then 'ОО' else 'МО' end;
comment on view mart.follow_up is
    'Контроль исполнения рекомендаций: планы мероприятий школ и МО, сроки и просрочки.';
