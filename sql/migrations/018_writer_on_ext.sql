-- The described sources' schema (ext) exists from the migrations on, so that the pipeline's writer role may
-- create, read and load its tables (006 granted it only where ext already existed). Grants are skipped where the
-- role is missing, as in 006.
create schema if not exists ext;
do $$
begin
    if exists (select from pg_roles where rolname = 'edu_writer') then
        grant usage, create on schema ext to edu_writer;
        grant select, insert, update, delete on all tables in schema ext to edu_writer;
        alter default privileges in schema ext grant select, insert, update, delete on tables to edu_writer;
    end if;
end
$$;
