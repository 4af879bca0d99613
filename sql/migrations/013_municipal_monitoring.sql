-- The region's motivating monitoring of municipal education authorities (municipal_monitoring.*, optional):
-- one row per municipality × indicator. Where it is given, the in-depth expertise is chosen on it.
create table core.municipal_monitoring (
    year              integer not null,
    municipality_code text    not null,
    indicator_code    text    not null,
    indicator_name    text    not null,
    value             numeric not null,
    max_score         numeric not null,
    load_id           bigint  not null references core.load_log on delete cascade,
    row_number        integer not null
);
create index municipal_monitoring_year on core.municipal_monitoring (year, municipality_code);
comment on table core.municipal_monitoring is
    'Мотивирующий мониторинг деятельности МОУО (municipal_monitoring.*): значение и максимальный балл по МО и показателю.';

alter table core.municipal_monitoring enable row level security;
create policy municipal_scope on core.municipal_monitoring using (
    (select core.municipal_scope(current_user)) is null
    or municipality_code = any((select core.municipal_scope(current_user))::text[]));

create view mart.municipal_monitoring as
select year, municipality_code, indicator_code, indicator_name, value, max_score,
       value / nullif(max_score, 0) * 100 as percent_of_max
from core.municipal_monitoring;
comment on view mart.municipal_monitoring is
    'Мотивирующий мониторинг деятельности МОУО, как его передал регион: значение показателя МО и доля от максимального балла.';
comment on column mart.municipal_monitoring.year is 'Год мониторинга';
comment on column mart.municipal_monitoring.municipality_code is 'Код МО';
comment on column mart.municipal_monitoring.indicator_code is 'Код показателя мотивирующего мониторинга';
comment on column mart.municipal_monitoring.indicator_name is 'Наименование показателя';
comment on column mart.municipal_monitoring.value is 'Значение (балл)';
comment on column mart.municipal_monitoring.max_score is 'Максимальный балл';
comment on column mart.municipal_monitoring.percent_of_max is 'Значение в процентах от максимального балла';

do $$
begin
    if exists (select from pg_roles where rolname = 'edu_mart_reader') then
        alter view mart.municipal_monitoring owner to edu_mart_reader;
    end if;
end
$$;
