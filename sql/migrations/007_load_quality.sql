-- Data quality of a year's input per source, in one place: the run summary, the campaign page in
-- Airflow and the publication index all read it (they used to count from core.load_log each its own way).
--
-- What counts: the loads in effect (status 'loaded': the rows now in the warehouse) and, per file, the
-- latest attempt when it was rejected. A file rejected once and loaded after a fix is not «rejected»;
-- a file whose new version was rejected keeps its earlier load in effect and is also «rejected».
-- Files withdrawn from the inbox and replaced versions do not count.

create view mart.load_quality as
with attempts as (
    select year, source, file_name, status, rows_read, rows_loaded, rows_quarantined,
           row_number() over (partition by year, source, file_name order by load_id desc) as recency
    from core.load_log
    where status in ('loaded', 'rejected')
)
select year, source,
       count(distinct file_name) filter (where status = 'loaded' or recency = 1)::integer as files,
       count(*) filter (where status = 'loaded')::integer as files_loaded,
       count(*) filter (where status = 'rejected' and recency = 1)::integer as files_rejected,
       coalesce(sum(rows_read) filter (where status = 'loaded'), 0)::bigint as rows_read,
       coalesce(sum(rows_loaded) filter (where status = 'loaded'), 0)::bigint as rows_loaded,
       coalesce(sum(rows_quarantined) filter (where status = 'loaded'), 0)::bigint as rows_quarantined,
       round(100.0 * sum(rows_quarantined) filter (where status = 'loaded')
             / nullif(sum(rows_read) filter (where status = 'loaded'), 0), 2) as quarantined_pct
from attempts
group by year, source;

comment on view mart.load_quality is
    'Качество исходных данных за год по источникам: файлы загруженные и отклонённые, строки прочитанные, '
    'загруженные и помещённые в карантин. Учитываются действующие загрузки и последняя попытка по каждому файлу.';
comment on column mart.load_quality.year is 'Год мониторинга';
comment on column mart.load_quality.source is
    'Источник по контракту входящих файлов (schools, vpr, gia, self_evaluation, …)';
comment on column mart.load_quality.files is
    'Число файлов источника: загруженных или отклонённых при последней попытке (без изъятых из папки)';
comment on column mart.load_quality.files_loaded is 'Число файлов, строки которых сейчас в хранилище';
comment on column mart.load_quality.files_rejected is
    'Число файлов, последняя версия которых отклонена целиком (нечитаемый файл, неверные заголовки и т. п.); '
    'если раньше загружалась другая версия файла, в хранилище остаются её строки';
comment on column mart.load_quality.rows_read is 'Строк прочитано из загруженных файлов';
comment on column mart.load_quality.rows_loaded is 'Строк загружено в хранилище';
comment on column mart.load_quality.rows_quarantined is
    'Строк помещено в карантин (mart.quarantine); прочитано = загружено + в карантине';
comment on column mart.load_quality.quarantined_pct is
    'Доля строк в карантине от прочитанных, %; пусто — строк не прочитано';

-- Like the other mart views since 006: owned by edu_mart_reader when that role exists.
do $$
begin
    if exists (select from pg_roles where rolname = 'edu_mart_reader') then
        alter view mart.load_quality owner to edu_mart_reader;
    end if;
end
$$;
