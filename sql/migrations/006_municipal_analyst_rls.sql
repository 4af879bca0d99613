-- Municipal analysts: members of edu_municipal_analyst read the same mart views as edu_analyst, but see
-- only the rows of their own municipalities (and the region's aggregates); a writer role for the pipeline.
-- Described for people in docs/reliability.md («Роли»).
--
-- How: row-level security on the core tables under mart. A mart view reads core with its owner's rights,
-- and PostgreSQL applies row security for the view's owner — never for a superuser or a table's owner,
-- which is what the migrator is. So the mart views are handed to edu_mart_reader, a role that only reads
-- core and does not bypass row security; the policies then filter on the user who queries (current_user
-- is the querying user inside a view). Works on PostgreSQL 15 and 16 (no security_invoker views needed:
-- with them analysts would have to be granted core itself).

-- Who sees which municipality: a login role, or a group role its members belong to.
create table core.analyst_municipality (
    role_name         name not null,
    municipality_code text not null,
    primary key (role_name, municipality_code)
);
comment on table core.analyst_municipality is
    'Муниципальные аналитики: роль (пользователь или группа) и код МО, строки которого ей видны в mart.';

-- NULL: the role sees every row (not a municipal analyst, or a superuser). Otherwise the municipality
-- codes mapped to the role or to any role it is a member of (none mapped: an empty array, it sees nothing).
-- SECURITY DEFINER so that the mapping is read whoever asks; callers cannot reach it (no usage on core).
create function core.municipal_scope(who name) returns text[]
language sql stable security definer set search_path = pg_catalog
as $$
    select case
        when not exists (select from pg_roles r where r.rolname = 'edu_municipal_analyst') then null
        when coalesce((select r.rolsuper from pg_roles r where r.rolname = who), false) then null
        when not pg_has_role(who, 'edu_municipal_analyst', 'member') then null
        else coalesce((select array_agg(distinct a.municipality_code order by a.municipality_code)
                       from core.analyst_municipality a
                       join pg_roles g on g.rolname = a.role_name
                       where pg_has_role(who, g.oid, 'member')), '{}')
    end
$$;

-- The policies: evaluated once per query (the scalar subqueries), for every command, for everybody; the
-- pipeline (superuser or the tables' owner) bypasses them anyway.
do $$
declare
    t text;
    scope constant text := '((select core.municipal_scope(current_user))::text[])';
    by_school constant text := 'exists (select from core.school s where s.year = %I.year and '
        's.school_code = %I.school_code and s.municipality_code = any(%s))';
begin
    foreach t in array array['school', 'municipality', 'school_status', 'municipality_status',
                             'municipality_indicator', 'municipality_correlation'] loop
        execute format('alter table core.%I enable row level security', t);
        execute format('create policy municipal_scope on core.%I using (%s is null or municipality_code = any(%s))',
                       t, scope, scope);
    end loop;
    foreach t in array array['objectivity_signal', 'objectivity_verdict', 'school_risk_factor',
                             'head_effectiveness', 'successful_practice'] loop
        execute format('alter table core.%I enable row level security', t);
        execute format('create policy municipal_scope on core.%I using (%s is null or ' || by_school || ')',
                       t, scope, t, t, scope);
    end loop;
    -- Region rows are the benchmark every municipality compares itself with: visible to all.
    alter table core.indicator_value enable row level security;
    execute format('create policy municipal_scope on core.indicator_value using (%s is null '
        'or level = ''region'' or (level = ''municipality'' and unit_code = any(%s)) '
        'or (level = ''school'' and exists (select from core.school s where s.year = indicator_value.year '
        'and s.school_code = indicator_value.unit_code and s.municipality_code = any(%s))))', scope, scope, scope);
    alter table core.recommendation enable row level security;
    execute format('create policy municipal_scope on core.recommendation using (%s is null '
        'or (level = ''municipality'' and unit_code = any(%s)) '
        'or (level = ''school'' and exists (select from core.school s where s.year = recommendation.year '
        'and s.school_code = recommendation.unit_code and s.municipality_code = any(%s))))', scope, scope, scope);
end
$$;

-- A quarantined row is raw input from any school of the region (its school code may be the error): the
-- region's data operators see them, municipal analysts do not. Filtered in the view, not by a policy:
-- the loader COPYs straight into core.quarantine, and COPY FROM refuses a table with row security.
create or replace view mart.quarantine as
select l.year, l.source, l.file_name, q.row_number, q.column_name, q.reason, q.raw, q.rules, q.load_id
from core.quarantine q
join core.load_log l using (load_id)
where l.status = 'loaded'
  and (select core.municipal_scope(current_user)) is null;

-- Roles belong to the whole server: created only when missing, by an owner who may create roles.
do $$
declare
    v record;
begin
    if not (select rolsuper or rolcreaterole from pg_roles where rolname = current_user) then
        if not exists (select from pg_roles where rolname = 'edu_mart_reader') then
            raise warning 'roles edu_mart_reader, edu_municipal_analyst, edu_writer are missing and % may not '
                'create roles: mart views keep their owner, municipal analysts cannot be set up', current_user;
            return;
        end if;
    end if;
    if not exists (select from pg_roles where rolname = 'edu_mart_reader') then
        create role edu_mart_reader nologin nosuperuser nobypassrls;
    end if;
    if not exists (select from pg_roles where rolname = 'edu_municipal_analyst') then
        create role edu_municipal_analyst nologin;
    end if;
    if not exists (select from pg_roles where rolname = 'edu_writer') then
        create role edu_writer nologin;
    end if;

    -- The owner of the mart views: reads core, nothing else; row security applies to it.
    grant usage on schema core to edu_mart_reader;
    grant select on all tables in schema core to edu_mart_reader;
    alter default privileges in schema core grant select on tables to edu_mart_reader;
    grant usage, create on schema mart to edu_mart_reader;  -- create: required of a view's owner
    for v in select c.relname from pg_class c where c.relnamespace = 'mart'::regnamespace and c.relkind = 'v' loop
        execute format('alter view mart.%I owner to edu_mart_reader', v.relname);
    end loop;

    -- Municipal analysts: mart only, like edu_analyst; row security does the rest.
    grant usage on schema mart to edu_municipal_analyst;
    grant select on all tables in schema mart to edu_municipal_analyst;
    alter default privileges in schema mart grant select on tables to edu_municipal_analyst;
    revoke all on schema core, meta from edu_municipal_analyst;

    -- The pipeline's writer: runs the cycle (loads, computations, documents); migrations stay with the owner.
    -- Its logins need BYPASSRLS (`create role etl login bypassrls in role edu_writer`, by a superuser): the
    -- loader and the analysis COPY into tables with row security, and COPY FROM refuses those otherwise.
    grant usage on schema core, mart, meta to edu_writer;
    grant select, insert, update, delete on all tables in schema core to edu_writer;
    grant usage, select on all sequences in schema core to edu_writer;
    alter default privileges in schema core grant select, insert, update, delete on tables to edu_writer;
    alter default privileges in schema core grant usage, select on sequences to edu_writer;
    grant select on all tables in schema mart to edu_writer;
    alter default privileges in schema mart grant select on tables to edu_writer;
    grant select on meta.schema_migration to edu_writer;
    if exists (select from pg_namespace where nspname = 'ext') then
        grant usage, create on schema ext to edu_writer;
    end if;
end
$$;
