-- The two biggest tables (ВПР and ГИА results: tens of millions of rows a year in a country) lose their row-level
-- foreign key to core.load_log: PostgreSQL checks such a key by one lookup per copied row, which made COPY into
-- core.vpr_result a third slower (docs/benchmarks.md). What the key guaranteed stays, checked per statement:
-- - every row's load_id exists in core.load_log: an AFTER INSERT trigger over the statement's new rows (a COPY is
--   one statement) raises the same error class as the key (23503 foreign_key_violation);
-- - deleting a load_log row deletes its rows (the key's ON DELETE CASCADE): a BEFORE DELETE trigger on load_log.
-- Both run as the tables' owner, as a foreign key's own checks and cascades do.

create function core.check_result_load_ids() returns trigger
language plpgsql security definer set search_path = pg_catalog, core as $$
declare
    missing bigint;
begin
    select n.load_id into missing
    from (select distinct load_id from new_rows) n
    where not exists (select 1 from core.load_log l where l.load_id = n.load_id)
    limit 1;
    if found then
        raise exception 'insert into %.% violates the load check: load_id % is not in core.load_log',
            tg_table_schema, tg_table_name, missing using errcode = 'foreign_key_violation';
    end if;
    return null;
end $$;

create function core.cascade_result_loads() returns trigger
language plpgsql security definer set search_path = pg_catalog, core as $$
begin
    delete from core.vpr_result where load_id = old.load_id;
    delete from core.gia_result where load_id = old.load_id;
    return old;
end $$;

alter table core.vpr_result drop constraint vpr_result_load_id_fkey;
alter table core.gia_result drop constraint gia_result_load_id_fkey;

create trigger vpr_result_load_check after insert on core.vpr_result
    referencing new table as new_rows for each statement execute function core.check_result_load_ids();
create trigger gia_result_load_check after insert on core.gia_result
    referencing new table as new_rows for each statement execute function core.check_result_load_ids();
create trigger load_log_result_cascade before delete on core.load_log
    for each row execute function core.cascade_result_loads();

-- No one but the owner changes a load id in place (the loader never does): an UPDATE of load_id is refused,
-- as the foreign key would refuse one that points nowhere.
create function core.refuse_result_load_id_update() returns trigger
language plpgsql as $$
begin
    raise exception 'the load_id of %.% rows is not updated', tg_table_schema, tg_table_name
        using errcode = 'foreign_key_violation';
end $$;
create trigger vpr_result_load_id_fixed before update of load_id on core.vpr_result
    for each statement execute function core.refuse_result_load_id_update();
create trigger gia_result_load_id_fixed before update of load_id on core.gia_result
    for each statement execute function core.refuse_result_load_id_update();
