-- Core warehouse: what the pipeline loads, keyed by year, every row traceable to the file it came from.
create schema if not exists core;
create schema if not exists mart;

-- One row per attempt to load a file. A changed file for the same (year, source, file_name) marks the
-- older load 'replaced' and deletes its rows; an identical file (same sha256) is skipped; a file gone
-- from the inbox when the whole year is rerun is 'withdrawn' and its rows deleted.
create table core.load_log (
    load_id          bigserial primary key,
    year             integer     not null,
    source           text        not null,
    file_name        text        not null,
    sha256           text        not null,
    rows_read        integer     not null default 0,
    rows_loaded      integer     not null default 0,
    rows_quarantined integer     not null default 0,
    loaded_at        timestamptz not null default now(),
    status           text        not null check (status in ('loaded', 'rejected', 'replaced', 'withdrawn')),
    message          text,
    dropped_columns  text[]      not null default '{}',
    -- The reference loads (schools, scales) this file was validated against: a changed reference
    -- makes the file stale, so a rerun validates it again instead of skipping it.
    reference_loads  bigint[]    not null default '{}'
);
create index load_log_file on core.load_log (year, source, file_name);

create table core.quarantine (
    load_id     bigint  not null references core.load_log on delete cascade,
    row_number  integer not null,
    column_name text    not null,
    rules       text[]  not null,
    reason      text    not null,
    raw         jsonb   not null,
    primary key (load_id, row_number)
);

create table core.municipality (
    year              integer not null,
    municipality_code text    not null,
    municipality_name text    not null,
    load_id           bigint  not null references core.load_log on delete cascade,
    primary key (year, municipality_code)
);

create table core.school (
    year              integer not null,
    school_code       text    not null,
    school_name       text    not null,
    municipality_code text    not null,
    school_type       text    not null,
    locality          text    not null,
    head_name         text,
    head_appointed_on date,
    students          integer not null,
    low_income_pct    numeric,
    non_native_pct    numeric,
    disability_pct    numeric,
    load_id           bigint  not null references core.load_log on delete cascade,
    row_number        integer not null,
    primary key (year, school_code)
);

create table core.vpr_scale (
    year        integer not null,
    subject     text    not null,
    grade       integer not null,
    max_score   integer not null,
    min_score_3 integer not null,
    min_score_4 integer not null,
    min_score_5 integer not null,
    load_id     bigint  not null references core.load_log on delete cascade,
    row_number  integer not null,
    primary key (year, subject, grade)
);

-- One row per participant's work. Task scores keep the file's task ids and maxima.
create table core.vpr_result (
    year             integer not null,
    school_code      text    not null,
    subject          text    not null,
    grade            integer not null,
    class_label      text    not null,
    participant_hash text    not null,
    variant          integer not null,
    primary_score    integer not null,
    mark             integer not null,
    journal_mark     integer,
    task_scores      jsonb   not null,
    load_id          bigint  not null references core.load_log on delete cascade,
    row_number       integer not null
);
create index vpr_result_year_school on core.vpr_result (year, school_code);
create index vpr_result_load on core.vpr_result (load_id);

create table core.gia_threshold (
    year           integer not null,
    exam_form      text    not null,
    subject        text    not null,
    min_test_score integer,
    min_score_3    integer,
    min_score_4    integer,
    min_score_5    integer,
    load_id        bigint  not null references core.load_log on delete cascade,
    row_number     integer not null,
    primary key (year, exam_form, subject)
);

create table core.gia_result (
    year             integer not null,
    school_code      text    not null,
    participant_hash text    not null,
    exam_form        text    not null,
    subject          text    not null,
    exam_date        date    not null,
    primary_score    integer not null,
    test_score       integer,
    mark             integer,
    status           text    not null,
    load_id          bigint  not null references core.load_log on delete cascade,
    row_number       integer not null
);
create index gia_result_year_school on core.gia_result (year, school_code);
create index gia_result_load on core.gia_result (load_id);

-- Self-evaluation in long form: one row per school and indicator of the official form, as reported.
create table core.self_evaluation (
    year           integer not null,
    school_code    text    not null,
    indicator_code text    not null,
    header         text    not null,
    value_text     text,
    count_value    numeric,
    share_value    numeric,
    flag_value     boolean,
    submitted_at   timestamp,
    load_id        bigint  not null references core.load_log on delete cascade,
    row_number     integer not null,
    primary key (year, school_code, indicator_code)
);

create table core.teacher (
    year                   integer not null,
    school_code            text    not null,
    teacher_hash           text    not null,
    position               text    not null,
    qualification_category text    not null,
    experience_years       integer not null,
    age_years              integer not null,
    deficit_diagnosed      boolean not null,
    cpd_hours_3y           integer not null,
    targeted_programme     boolean not null,
    is_expert              boolean not null,
    pedagogical_education  boolean not null,
    load_id                bigint  not null references core.load_log on delete cascade,
    row_number             integer not null
);
create index teacher_year_school on core.teacher (year, school_code);

create table core.olympiad_result (
    year             integer not null,
    stage            text    not null,
    subject          text    not null,
    school_code      text    not null,
    participant_hash text    not null,
    grade            integer not null,
    status           text    not null,
    load_id          bigint  not null references core.load_log on delete cascade,
    row_number       integer not null
);
create index olympiad_year_school on core.olympiad_result (year, school_code);

create table core.measure (
    year                integer not null,
    level               text    not null,
    unit_code           text    not null,
    recommendation_code text    not null,
    measure             text    not null,
    responsible         text    not null,
    due_date            date    not null,
    done                boolean not null,
    load_id             bigint  not null references core.load_log on delete cascade,
    row_number          integer not null
);

-- Indicators: the catalogue (from sql/indicators/*/metadata.yaml) and computed values at three levels.
create table core.indicator (
    indicator_code    text primary key,
    name_ru           text not null,
    direction_code    text not null,
    direction_name_ru text not null,
    unit              text not null,
    polarity          text not null check (polarity in ('higher_better', 'lower_better', 'neutral')),
    formula_ru        text not null,
    source            text not null,
    aggregation       text not null,
    scale             numeric not null,
    min_denominator   integer not null default 1,
    thresholds        jsonb not null default '{}'
);

create table core.indicator_value (
    year           integer not null,
    level          text    not null check (level in ('school', 'municipality', 'region')),
    unit_code      text    not null,
    indicator_code text    not null references core.indicator,
    value          numeric,
    numerator      numeric,
    denominator    numeric,
    primary key (year, level, unit_code, indicator_code)
);

create table core.recommendation (
    year                integer not null,
    level               text    not null check (level in ('school', 'municipality')),
    unit_code           text    not null,
    recommendation_code text    not null,
    text_ru             text    not null,
    basis_ru            text    not null,
    due_date            date    not null,
    primary key (year, level, unit_code, recommendation_code)
);

-- Documents written for a year: what a publication index and the run summary list.
create table core.document (
    year       integer not null,
    kind       text    not null,
    unit_code  text    not null,
    format     text    not null,
    path       text    not null,
    sha256     text    not null,
    written_at timestamptz not null default now(),
    primary key (year, kind, unit_code, format)
);
