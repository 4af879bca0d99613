-- The whole management cycle at the municipal level: the in-depth expertise's basis (Irkutsk §1.6), each
-- municipality's risk profile, goals and their achievement (Ishimbay steps 1 and 6), and the completeness of
-- the cycle per mechanism of quality management (Kirov). Written by analyse_year (analysis/expertise.py,
-- targets.py, cycle.py); analysts read the mart views.

create table core.municipality_expertise (
    year                  integer not null,
    municipality_code     text    not null,
    basis                 text    not null check (basis in ('municipal_monitoring', 'product_indicators')),
    monitoring_percent    numeric,
    monitoring_rank       integer,
    monitoring_indicators integer not null,
    product_score         numeric,
    product_rank          integer,
    selected              boolean not null,
    reason_ru             text    not null,
    primary key (year, municipality_code)
);

create table core.municipality_risk_factor (
    year                integer not null,
    municipality_code   text    not null,
    risk_factor_code    text    not null,
    risk_factor_name_ru text    not null,
    value               numeric,
    region_value        numeric,
    at_risk             boolean,
    evidence_ru         text    not null,
    primary key (year, municipality_code, risk_factor_code)
);

create table core.target_result (
    year           integer not null,
    level          text    not null check (level in ('region', 'municipality')),
    unit_code      text    not null,
    indicator_code text    not null,
    name_ru        text    not null,
    unit           text    not null,
    polarity       text    not null,
    goal_ru        text    not null,
    target         numeric not null,
    value          numeric,
    achieved       boolean,
    gap            numeric,
    proposed_next  numeric,
    evidence_ru    text    not null,
    primary key (year, level, unit_code, indicator_code)
);

create table core.management_cycle (
    year                 integer not null,
    municipality_code    text    not null,
    mechanism_code       text    not null,
    mechanism_name_ru    text    not null,
    goals_set            boolean not null,
    indicators_computed  boolean not null,
    monitoring_received  boolean not null,
    analysis_done        boolean not null,
    measures_recorded    boolean not null,
    effect_analysed      boolean not null,
    indicator_codes      text[]  not null,
    recommendation_codes text[]  not null,
    evidence_ru          text    not null,
    primary key (year, municipality_code, mechanism_code)
);

do $$
declare
    t text;
    scope constant text := '((select core.municipal_scope(current_user))::text[])';
begin
    foreach t in array array['municipality_expertise', 'municipality_risk_factor', 'management_cycle'] loop
        execute format('alter table core.%I enable row level security', t);
        execute format('create policy municipal_scope on core.%I using (%s is null or municipality_code = any(%s))',
                       t, scope, scope);
    end loop;
    alter table core.target_result enable row level security;
    execute format('create policy municipal_scope on core.target_result using (%s is null or level = ''region'' '
                   'or unit_code = any(%s))', scope, scope);
end
$$;

comment on view mart.municipality_status is
    'МО: место в рейтинге по показателям, рассчитанным продуктом, отбор для углублённой экспертизы (по мотивирующему '
    'мониторингу МОУО, если он представлен: mart.municipal_expertise), кластер, сводные числа ОО.';

create view mart.municipal_expertise as
select year, municipality_code, basis, selected, reason_ru, monitoring_percent, monitoring_rank,
       monitoring_indicators, product_score, product_rank
from core.municipality_expertise;
comment on view mart.municipal_expertise is
    'Отбор МО на углублённую экспертизу (регламент Иркутской области, п. 1.6): основание, результат мотивирующего '
    'мониторинга МОУО и рейтинг по показателям продукта как второй сигнал.';
comment on column mart.municipal_expertise.year is 'Год мониторинга';
comment on column mart.municipal_expertise.municipality_code is 'Код МО';
comment on column mart.municipal_expertise.basis is
    'Основание отбора: municipal_monitoring — мотивирующий мониторинг МОУО, product_indicators — показатели продукта';
comment on column mart.municipal_expertise.selected is 'МО отобрано для углублённой экспертизы';
comment on column mart.municipal_expertise.reason_ru is 'Обоснование: оба сигнала и место МО';
comment on column mart.municipal_expertise.monitoring_percent is
    'Результат мотивирующего мониторинга: сумма баллов / сумма максимальных баллов × 100; пусто — нет данных';
comment on column mart.municipal_expertise.monitoring_rank is 'Место по мотивирующему мониторингу (1 — лучшее)';
comment on column mart.municipal_expertise.monitoring_indicators is 'Число показателей МО в файле мониторинга';
comment on column mart.municipal_expertise.product_score is 'Рейтинговый балл по показателям продукта';
comment on column mart.municipal_expertise.product_rank is 'Место по показателям продукта (1 — лучшее)';

create view mart.municipality_risk_profile as
select year, municipality_code, risk_factor_code, risk_factor_name_ru, value, region_value, at_risk, evidence_ru
from core.municipality_risk_factor;
comment on view mart.municipality_risk_profile is
    'Рисковый профиль МО: доли ОО МО по признакам риска (ОО в зоне риска, низкие результаты, признаки '
    'необъективности, дефициты руководителей, кадры) в сравнении с регионом.';
comment on column mart.municipality_risk_profile.year is 'Год мониторинга';
comment on column mart.municipality_risk_profile.municipality_code is 'Код МО';
comment on column mart.municipality_risk_profile.risk_factor_code is 'Код признака (MR1–MR5)';
comment on column mart.municipality_risk_profile.risk_factor_name_ru is 'Наименование признака';
comment on column mart.municipality_risk_profile.value is 'Доля ОО МО с признаком, %';
comment on column mart.municipality_risk_profile.region_value is 'Доля ОО региона с признаком, %';
comment on column mart.municipality_risk_profile.at_risk is 'В зоне риска; пусто — нет данных';
comment on column mart.municipality_risk_profile.evidence_ru is 'Обоснование';

create view mart.target_achievement as
select year, level, unit_code, indicator_code, name_ru, unit, polarity, goal_ru, target, value, achieved, gap,
       case when achieved = false then -gap end as shortfall, proposed_next, evidence_ru
from core.target_result;
comment on view mart.target_achievement is
    'Цели и их достижение: целевое значение показателя на год (include/goals/targets.yaml), значение, достигнута ли '
    'цель и насколько, предложение на следующий год.';
comment on column mart.target_achievement.year is 'Год цели';
comment on column mart.target_achievement.level is 'Уровень: region или municipality';
comment on column mart.target_achievement.unit_code is 'Код МО или region';
comment on column mart.target_achievement.indicator_code is 'Код показателя каталога';
comment on column mart.target_achievement.name_ru is 'Наименование показателя';
comment on column mart.target_achievement.unit is 'Единица';
comment on column mart.target_achievement.polarity is 'Полярность показателя';
comment on column mart.target_achievement.goal_ru is 'Цель';
comment on column mart.target_achievement.target is 'Целевое значение';
comment on column mart.target_achievement.value is 'Значение за год; пусто — нет данных';
comment on column mart.target_achievement.achieved is 'Цель достигнута; пусто — нет данных';
comment on column mart.target_achievement.gap is
    'Отклонение от цели в желательную сторону (больше нуля — лучше цели)';
comment on column mart.target_achievement.shortfall is 'Сколько не хватило до цели (для недостигнутой)';
comment on column mart.target_achievement.proposed_next is 'Предлагаемое целевое значение на следующий год';
comment on column mart.target_achievement.evidence_ru is 'Вывод и обоснование предложения';

create view mart.management_cycle as
select c.year, c.municipality_code, c.mechanism_code, c.mechanism_name_ru, c.goals_set, c.indicators_computed,
       c.monitoring_received, c.analysis_done, r.recommendations_sent, c.measures_recorded, c.effect_analysed,
       (c.goals_set::int + c.indicators_computed::int + c.monitoring_received::int + c.analysis_done::int
        + r.recommendations_sent::int + c.measures_recorded::int + c.effect_analysed::int) as steps_done,
       c.evidence_ru
from core.management_cycle c
cross join lateral (
    select exists (
        select from core.recommendation rec
        where rec.year = c.year and rec.recommendation_code = any(c.recommendation_codes)
          and ((rec.level = 'municipality' and rec.unit_code = c.municipality_code)
               or (rec.level = 'school' and exists (select from core.school s where s.year = rec.year
                   and s.school_code = rec.unit_code and s.municipality_code = c.municipality_code)))
    ) as recommendations_sent
) r;
comment on view mart.management_cycle is
    'Полнота управленческого цикла МО по механизмам управления качеством: какие шаги (цели, показатели, '
    'мониторинг, анализ, адресные рекомендации, меры, анализ эффективности мер) выполнены по данным.';
comment on column mart.management_cycle.year is 'Год мониторинга';
comment on column mart.management_cycle.municipality_code is 'Код МО';
comment on column mart.management_cycle.mechanism_code is 'Код механизма (M1–M8)';
comment on column mart.management_cycle.mechanism_name_ru is 'Механизм управления качеством';
comment on column mart.management_cycle.goals_set is '1. Цели: задано целевое значение показателя механизма на год';
comment on column mart.management_cycle.indicators_computed is '2. Показатели: есть значение показателя механизма по МО';
comment on column mart.management_cycle.monitoring_received is '3. Мониторинг: данные получены от всех ОО МО';
comment on column mart.management_cycle.analysis_done is '4. Анализ: вывод аналитического слоя по механизму есть';
comment on column mart.management_cycle.recommendations_sent is
    '5. Адресные рекомендации года по механизму направлены МО или её ОО';
comment on column mart.management_cycle.measures_recorded is '6. Меры по рекомендациям прошлого года записаны';
comment on column mart.management_cycle.effect_analysed is '7. Эффективность мер проанализирована (разность разностей)';
comment on column mart.management_cycle.steps_done is 'Число выполненных шагов из 7';
comment on column mart.management_cycle.evidence_ru is 'Какие шаги выполнены по данным (кроме рекомендаций)';

do $$
declare
    v text;
begin
    if exists (select from pg_roles where rolname = 'edu_mart_reader') then
        foreach v in array array['municipal_expertise', 'municipality_risk_profile', 'target_achievement',
                                 'management_cycle'] loop
            execute format('alter view mart.%I owner to edu_mart_reader', v);
        end loop;
    end if;
end
$$;
