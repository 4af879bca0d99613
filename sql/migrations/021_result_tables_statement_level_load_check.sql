-- The two biggest tables (ВПР and ГИА results: tens of millions of rows a year in a country) lose their row-level
-- foreign key to core.load_log: PostgreSQL checks such a key by one lookup per copied row, which made COPY into
-- core.vpr_result a third slower (docs/benchmarks.md). What the key guaranteed stays, checked per statement:
-- - every row's load_id is in core.load_log, and that row is locked against deletion until the inserting
--   transaction ends (FOR KEY SHARE, as the key's own check locks it): an AFTER INSERT trigger over the
--   statement's new rows (a COPY is one statement) raises the key's error class (23503 foreign_key_violation);
-- - deleting a load_log row deletes its rows (the key's ON DELETE CASCADE), TRUNCATE of load_log truncates them;
-- - a load id with rows is not changed, in load_log or in the rows.
-- The functions run with the caller's rights (no SECURITY DEFINER): the loader reads load_log, whoever deletes
-- loads may delete their rows.

create function core.check_result_load_ids() returns trigger
language plpgsql set search_path = pg_catalog, pg_temp as $$
declare
    wanted bigint;
    found_ids bigint;
    missing bigint;
begin
    select count(*) into wanted from (select distinct load_id from new_rows) n;
    select count(*) into found_ids from (
        select l.load_id from core.load_log l
        where l.load_id in (select distinct load_id from new_rows)
        for key share) f;
    if found_ids < wanted then
        select n.load_id into missing from (select distinct load_id from new_rows) n
        where not exists (select 1 from core.load_log l where l.load_id = n.load_id) limit 1;
        raise exception 'insert into %.% violates the load check: load_id % is not in core.load_log',
            tg_table_schema, tg_table_name, missing using errcode = 'foreign_key_violation';
    end if;
    return null;
end $$;

create function core.cascade_result_loads() returns trigger
language plpgsql set search_path = pg_catalog, pg_temp as $$
begin
    delete from core.vpr_result where load_id = old.load_id;
    delete from core.gia_result where load_id = old.load_id;
    return old;
end $$;

create function core.truncate_result_loads() returns trigger
language plpgsql set search_path = pg_catalog, pg_temp as $$
begin
    truncate core.vpr_result, core.gia_result;
    return null;
end $$;

create function core.refuse_load_id_change() returns trigger
language plpgsql set search_path = pg_catalog, pg_temp as $$
begin
    if tg_table_name = 'load_log' then
        if old.load_id is distinct from new.load_id
           and (exists (select 1 from core.vpr_result where load_id = old.load_id)
                or exists (select 1 from core.gia_result where load_id = old.load_id)) then
            raise exception 'load_id % has result rows and is not changed', old.load_id
                using errcode = 'foreign_key_violation';
        end if;
        return new;
    end if;
    raise exception 'the load_id of %.% rows is not updated', tg_table_schema, tg_table_name
        using errcode = 'foreign_key_violation';
end $$;

revoke execute on function core.check_result_load_ids(), core.cascade_result_loads(), core.truncate_result_loads(),
    core.refuse_load_id_change() from public;

alter table core.vpr_result drop constraint vpr_result_load_id_fkey;
alter table core.gia_result drop constraint gia_result_load_id_fkey;

create trigger vpr_result_load_check after insert on core.vpr_result
    referencing new table as new_rows for each statement execute function core.check_result_load_ids();
create trigger gia_result_load_check after insert on core.gia_result
    referencing new table as new_rows for each statement execute function core.check_result_load_ids();
create trigger load_log_result_cascade before delete on core.load_log
    for each row execute function core.cascade_result_loads();
create trigger load_log_result_truncate before truncate on core.load_log
    for each statement execute function core.truncate_result_loads();
create trigger load_log_load_id_fixed before update of load_id on core.load_log
    for each row execute function core.refuse_load_id_change();
create trigger vpr_result_load_id_fixed before update of load_id on core.vpr_result
    for each statement execute function core.refuse_load_id_change();
create trigger gia_result_load_id_fixed before update of load_id on core.gia_result
    for each statement execute function core.refuse_load_id_change();
