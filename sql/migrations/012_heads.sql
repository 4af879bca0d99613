-- School heads (heads.*, optional): competence assessment, the head's own ДПО, the school's management
-- reserve. The directions H1, H8, H9 of the heads' monitoring (mart.head_effectiveness) read it.
create table core.head (
    year              integer not null,
    school_code       text    not null,
    tenure_years      integer not null,
    competence_result numeric,
    assessed_on       date,
    cpd_hours_3y      integer not null,
    reserve_size      integer not null,
    reserve_trained   integer not null,
    contests          boolean not null,
    load_id           bigint  not null references core.load_log on delete cascade,
    row_number        integer not null
);
create index head_year_school on core.head (year, school_code);
comment on table core.head is 'Руководители ОО (heads.*): оценка компетенций, ДПО руководителя, резерв управленческих кадров.';

-- Municipal analysts see the heads of their own municipalities' schools only (as in 006).
alter table core.head enable row level security;
create policy municipal_scope on core.head using (
    (select core.municipal_scope(current_user)) is null
    or exists (select from core.school s where s.year = head.year and s.school_code = head.school_code
               and s.municipality_code = any((select core.municipal_scope(current_user))::text[])));
