-- Every file under the inbox year, accounted for: read as a source, or why not (not recognised, with the
-- layout expected; the operator's own file; a link out of the inbox). Written by each whole-year run.

create table core.inbox_file (
    year        integer not null,
    file_name   text    not null,
    source      text,
    status      text    not null check (status in ('source', 'not_recognised', 'own_file', 'link_outside')),
    reason_ru   text,
    seen_at     timestamptz not null default now(),
    primary key (year, file_name)
);
comment on table core.inbox_file is 'Файлы входящей папки года: прочитан как источник или почему нет.';

create view mart.inbox_files as
select year, file_name, source, status, reason_ru, seen_at
from core.inbox_file
where (select core.municipal_scope(current_user)) is null;
comment on view mart.inbox_files is
    'Каждый файл входящей папки года: источник, как которым он прочитан, или причина, по которой он не загружен '
    '(не распознан — с ожидаемым расположением файлов; служебный файл; ссылка за пределы папки).';

do $$
begin
    if exists (select from pg_roles where rolname = 'edu_mart_reader') then
        alter view mart.inbox_files owner to edu_mart_reader;
    end if;
end
$$;
