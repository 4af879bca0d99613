-- Indicator marts for analysts: the catalogue's notes and the second ratio of difference indicators,
-- readable names and units next to each value, a comment on every column, and a read-only role.

-- A rule a formula alone does not say (e.g. how ГИА retakes count) travels with the indicator.
alter table core.indicator add column notes_ru text;

-- Indicators with aggregation `difference_of_ratios` subtract a second ratio from the first; its parts
-- are kept, summed like the first ratio's at the municipality and region levels.
alter table core.indicator_value add column numerator_2 numeric;
alter table core.indicator_value add column denominator_2 numeric;

-- The published views only gain columns, at the end (shared/contracts/warehouse.md).
create or replace view mart.indicator_catalog as
select indicator_code, name_ru, direction_code, direction_name_ru, unit, polarity, formula_ru, source,
       aggregation, thresholds, min_denominator, notes_ru
from core.indicator;

create or replace view mart.indicator_values as
select v.year, v.level, v.unit_code, v.indicator_code, v.value, v.numerator, v.denominator,
       p.value as previous_value,
       v.value - p.value as change,
       v.numerator_2, v.denominator_2,
       i.name_ru, i.unit, i.polarity, i.direction_code,
       -- So an analyst can pick a municipality's schools without reading core tables.
       case v.level when 'school' then s.municipality_code when 'municipality' then v.unit_code end
           as municipality_code,
       case v.level when 'school' then s.school_name when 'municipality' then m.municipality_name
           else 'Регион' end as unit_name
from core.indicator_value v
join core.indicator i on i.indicator_code = v.indicator_code
left join core.indicator_value p
       on p.year = v.year - 1 and p.level = v.level and p.unit_code = v.unit_code
      and p.indicator_code = v.indicator_code
left join core.school s
       on v.level = 'school' and s.year = v.year and s.school_code = v.unit_code
left join core.municipality m
       on v.level = 'municipality' and m.year = v.year and m.municipality_code = v.unit_code;

comment on view mart.indicator_catalog is
    'Каталог показателей: код, наименование, направление, единица, полярность, формула, источник.';
comment on view mart.indicator_values is
    'Значения показателей по годам на уровнях ОО, МО и региона, с прошлогодним значением и изменением.';

comment on column mart.indicator_catalog.indicator_code is
    'Код показателя (латиница), совпадает с именем папки sql/indicators/<код>/';
comment on column mart.indicator_catalog.name_ru is 'Наименование показателя';
comment on column mart.indicator_catalog.direction_code is
    'Код направления механизмов управления качеством образования (1.1 … 2.4)';
comment on column mart.indicator_catalog.direction_name_ru is 'Наименование направления';
comment on column mart.indicator_catalog.unit is 'Единица измерения: %, балл, чел., ед.';
comment on column mart.indicator_catalog.polarity is
    'Полярность: higher_better — чем больше, тем лучше; lower_better — чем меньше, тем лучше; '
    'neutral — контекстный показатель без оценки';
comment on column mart.indicator_catalog.formula_ru is 'Формула расчёта, как она записана в регламенте';
comment on column mart.indicator_catalog.source is
    'Источник данных по контракту входящих файлов (vpr, gia, schools, self_evaluation, teachers, olympiads, '
    'measures); несколько источников — через запятую';
comment on column mart.indicator_catalog.aggregation is
    'Способ расчёта на уровнях МО и региона: ratio_of_sums — отношение сумм числителей и знаменателей школ; '
    'share_of_schools — доля школ (у школы числитель 1 или 0, знаменатель 1); mean_of_schools — среднее '
    'значений школ; median_of_schools — медиана значений школ; difference_of_ratios — разность двух '
    'отношений сумм';
comment on column mart.indicator_catalog.thresholds is
    'Пороги зон риска (JSON): risk_high — высокий риск, risk_medium — средний; сторона риска задаётся '
    'полярностью; пусто, если оценка риска по показателю не проводится';
comment on column mart.indicator_catalog.min_denominator is
    'Наименьший знаменатель, при котором значение школы рассчитывается (меньшие группы — без значения, '
    'но учитываются в суммах МО и региона)';
comment on column mart.indicator_catalog.notes_ru is
    'Правила, которых нет в формуле: учёт пересдач ГИА, пороги часов ДПО, дата отсчёта стажа и т. п.';

comment on column mart.indicator_values.year is 'Год мониторинга (год результатов ВПР и ГИА, отчёта о самообследовании)';
comment on column mart.indicator_values.level is 'Уровень: school — ОО, municipality — МО, region — регион';
comment on column mart.indicator_values.unit_code is 'Код ОО, код МО или region';
comment on column mart.indicator_values.indicator_code is 'Код показателя (mart.indicator_catalog)';
comment on column mart.indicator_values.value is
    'Значение показателя в единицах каталога; доли — в процентах (0–100), без округления; пусто, если '
    'знаменатель меньше минимального или данных нет';
comment on column mart.indicator_values.numerator is
    'Числитель (для median_of_schools на уровнях МО и региона не заполняется; для mean_of_schools там — '
    'сумма значений школ)';
comment on column mart.indicator_values.denominator is
    'Знаменатель (для mean_of_schools и median_of_schools на уровнях МО и региона — число школ со значением)';
comment on column mart.indicator_values.previous_value is 'Значение того же показателя той же единицы за предыдущий год';
comment on column mart.indicator_values.change is 'Изменение к предыдущему году: value − previous_value';
comment on column mart.indicator_values.numerator_2 is
    'Числитель вычитаемого отношения (только для difference_of_ratios)';
comment on column mart.indicator_values.denominator_2 is
    'Знаменатель вычитаемого отношения (только для difference_of_ratios)';
comment on column mart.indicator_values.name_ru is 'Наименование показателя (из каталога)';
comment on column mart.indicator_values.unit is 'Единица измерения (из каталога)';
comment on column mart.indicator_values.polarity is 'Полярность (из каталога)';
comment on column mart.indicator_values.direction_code is 'Код направления (из каталога)';
comment on column mart.indicator_values.municipality_code is
    'Код МО: для ОО — её муниципалитет, для МО — он сам, для региона пусто';
comment on column mart.indicator_values.unit_name is 'Наименование ОО или МО; для региона — «Регион»';

-- Analysts read mart and nothing else. A group role: people get LOGIN roles that are members of it.
-- Roles belong to the whole server: create it only if it is missing (another database may have it).
do $$
begin
    if not exists (select from pg_roles where rolname = 'edu_analyst') then
        if not (select rolsuper or rolcreaterole from pg_roles where rolname = current_user) then
            -- An external server whose owner may not create roles: the DBA creates it and reruns the grants.
            raise warning 'role edu_analyst is missing and % may not create roles: grants skipped', current_user;
            return;
        end if;
        create role edu_analyst nologin;
    end if;
    grant usage on schema mart to edu_analyst;
    grant select on all tables in schema mart to edu_analyst;
    -- Views later migrations add to mart (created by this same owner) are readable too.
    alter default privileges in schema mart grant select on tables to edu_analyst;
    -- Nothing on the pipeline's own schemas: mart views read core with their owner's rights.
    revoke all on schema core from edu_analyst;
    revoke all on all tables in schema core from edu_analyst;
    revoke all on schema meta from edu_analyst;
end
$$;
