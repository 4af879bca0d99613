-- Schools of the year from described sources (the `monitoring:` block of include/sources/<name>.yaml): each
-- loaded row of such a source, resolved to a school of the year by its stated key (OGRN) or by the normalised
-- name and number, with its status and reason. Indicator queries on a described source join its table here
-- for the row's school; a reload of the file (its load_log row deleted) takes its resolutions with it.

create table core.source_school (
    year              integer not null,
    source            text    not null,
    load_id           bigint  not null references core.load_log on delete cascade,
    row_number        integer not null,
    source_name       text    not null,
    school_code       text,
    status            text    not null check (status in ('key', 'matched', 'unmatched', 'ambiguous')),
    rule              text    not null check (rule in ('key', 'name_and_number')),
    institution_kind  text    not null check (institution_kind in ('school', 'college', 'higher')),
    municipality_code text,
    reason_ru         text    not null,
    primary key (load_id, row_number)
);
create index source_school_year on core.source_school (year, source);
comment on table core.source_school is
    'Строки описанных источников, сопоставленные со школами года: по ключу (ОГРН) или по наименованию и номеру.';

create view mart.school_match as
select m.year, m.source, l.file_name, m.row_number, m.source_name, m.school_code, s.school_name,
       m.status, m.rule, m.institution_kind, m.municipality_code, m.reason_ru
from core.source_school m
join core.load_log l on l.load_id = m.load_id
left join core.school s on s.year = m.year and s.school_code = m.school_code
where (select core.municipal_scope(current_user)) is null
   or m.municipality_code = any((select core.municipal_scope(current_user))::text[]);
comment on view mart.school_match is
    'Сопоставление строк описанных источников со школами года: статус (key — строка задаёт школу по ключу, '
    'matched — сопоставлена, unmatched — не найдена, ambiguous — подходят несколько), правило '
    '(key — ОГРН, name_and_number — нормализованное наименование и номер), вид организации '
    '(school, college — колледж со школьным отделением, higher — вуз со школьным отделением) и основание.';

do $$
begin
    if exists (select from pg_roles where rolname = 'edu_mart_reader') then
        alter view mart.school_match owner to edu_mart_reader;
    end if;
end
$$;
