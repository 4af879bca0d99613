-- A reference row whose key is sound keeps its school (the input contract, "What bad input gets"): a bad
-- cell elsewhere in it is loaded as empty and reported here with file, row, column and reason, so one typo
-- in a head's appointment date no longer drops every result of the school.

alter table core.school alter column school_name drop not null,
                        alter column school_type drop not null,
                        alter column locality drop not null,
                        alter column students drop not null;

create table core.data_issue (
    load_id     bigint  not null references core.load_log on delete cascade,
    row_number  integer not null,
    column_name text    not null,
    rules       text[]  not null,
    reason      text    not null,
    primary key (load_id, row_number, column_name)
);
comment on table core.data_issue is
    'Ошибочные ячейки сохранённых строк справочников: значение не загружено (пусто), строка сохранена.';

create view mart.data_issues as
select l.year, l.source, l.file_name, d.row_number, d.column_name, d.reason, d.rules, d.load_id
from core.data_issue d
join core.load_log l using (load_id)
where l.status = 'loaded'
  and (select core.municipal_scope(current_user)) is null;
comment on view mart.data_issues is
    'Ошибочные ячейки сохранённых строк справочников: файл, строка, столбец, причина; значение не загружено, '
    'школа и все её результаты сохранены.';
comment on column mart.data_issues.reason is 'Что не так со значением (оно не загружено, строка сохранена)';

-- Like the other mart views since 006: owned by edu_mart_reader when that role exists; readable by analysts.
do $$
begin
    if exists (select from pg_roles where rolname = 'edu_mart_reader') then
        alter view mart.data_issues owner to edu_mart_reader;
    end if;
end
$$;
