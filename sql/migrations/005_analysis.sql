-- The analysis layer (plugins/edu_quality/analysis): what analyse_year(engine, year) recomputes for a year
-- from the loaded sources and the indicator values, and the published mart views over it.
-- Every table is keyed by year; a rerun deletes the year's rows and inserts them again in one
-- transaction. Thresholds live in include/analysis/settings.yaml; docs/methodology.md explains them.

-- 1. Objectivity of ВПР: one row per school × subject × grade × signal.
create table core.objectivity_signal (
    year            integer not null,
    school_code     text    not null,
    subject         text    not null,
    grade           integer not null,
    signal_code     text    not null,
    signal_kind     text    not null,
    value           numeric,
    threshold       numeric,
    flagged         boolean not null,
    participants    integer not null,
    school_value    numeric,
    reference_value numeric,
    p_value         numeric,
    verdict_ru      text    not null,
    primary key (year, school_code, subject, grade, signal_code)
);

-- The school's verdict per kind of signal (a kind agrees when enough of the school's groups are flagged).
create table core.objectivity_verdict (
    year            integer not null,
    school_code     text    not null,
    signal_kind     text    not null,
    kind_name_ru    text    not null,
    groups_assessed integer not null,
    groups_flagged  integer not null,
    agrees          boolean not null,
    evidence_ru     text    not null,
    primary key (year, school_code, signal_kind)
);

-- 2–5. The school's status: low results, unfavourable conditions, objectivity, cluster, head, practices.
create table core.school_status (
    year                     integer not null,
    school_code              text    not null,
    municipality_code        text    not null,
    low_results              boolean,
    unfavorable_conditions   boolean,
    biased_results_suspected boolean not null,
    cluster                  integer,
    head_effectiveness_score numeric,
    school_name              text    not null,
    results_score            numeric,
    procedures_assessed      integer not null,
    procedures_low           integer not null,
    low_results_evidence_ru  text    not null,
    unfavorable_signs        integer not null,
    unfavorable_evidence_ru  text    not null,
    biased_kinds             text[]  not null default '{}',
    biased_evidence_ru       text    not null,
    context_residual_z       numeric,
    successful_practice      boolean not null,
    cluster_name_ru          text,
    risk_factors_at_risk     integer not null,
    risk_factors_no_data     integer not null,
    primary key (year, school_code)
);

-- 3. Risk profile: the federal risk factors of each school.
create table core.school_risk_factor (
    year                integer not null,
    school_code         text    not null,
    risk_factor_code    text    not null,
    risk_factor_name_ru text    not null,
    at_risk             boolean,
    evidence_ru         text    not null,
    metric_code         text,
    value               numeric,
    threshold           numeric,
    region_median       numeric,
    unit                text,
    primary key (year, school_code, risk_factor_code)
);

-- 4. Effectiveness of school heads by direction (score 0–100; null = no data).
create table core.head_effectiveness (
    year              integer not null,
    school_code       text    not null,
    direction_code    text    not null,
    direction_name_ru text    not null,
    score             numeric,
    deficit           boolean,
    evidence_ru       text    not null,
    primary key (year, school_code, direction_code)
);

-- 5. Successful practices.
create table core.successful_practice (
    year             integer not null,
    school_code      text    not null,
    practice_code    text    not null,
    practice_name_ru text    not null,
    evidence_ru      text    not null,
    primary key (year, school_code, practice_code)
);

-- 6. Clusters of schools and of municipalities: one row per cluster with its centre.
create table core.analysis_cluster (
    year       integer not null,
    level      text    not null check (level in ('school', 'municipality')),
    cluster    integer not null,
    name_ru    text    not null,
    members    integer not null,
    k          integer not null,
    silhouette numeric,
    centre     jsonb   not null,
    centre_ru  text    not null,
    primary key (year, level, cluster)
);

-- 7. Municipalities: rating, in-depth review, gaps to the region, links between procedures.
create table core.municipality_status (
    year                      integer not null,
    municipality_code         text    not null,
    municipality_name         text    not null,
    schools                   integer not null,
    score                     numeric,
    rank                      integer,
    indicators_used           integer not null,
    expert_review_selected    boolean not null,
    expert_review_reason_ru   text    not null,
    cluster                   integer,
    cluster_name_ru           text,
    low_result_schools        integer not null,
    unfavorable_schools       integer not null,
    biased_suspected_schools  integer not null,
    successful_practice_schools integer not null,
    head_effectiveness_mean   numeric,
    primary key (year, municipality_code)
);

create table core.municipality_indicator (
    year              integer not null,
    municipality_code text    not null,
    indicator_code    text    not null,
    name_ru           text    not null,
    polarity          text    not null,
    value             numeric,
    region_value      numeric,
    gap               numeric,
    gap_sd            numeric,
    municipal_rank    integer,
    primary key (year, municipality_code, indicator_code)
);

create table core.municipality_correlation (
    year              integer not null,
    municipality_code text    not null,
    indicator_x       text    not null,
    indicator_y       text    not null,
    schools           integer not null,
    r_municipality    numeric,
    r_region          numeric,
    gap               numeric,
    flagged           boolean not null,
    evidence_ru       text    not null,
    primary key (year, municipality_code, indicator_x, indicator_y)
);

-- 8. Effectiveness of measures: difference in differences of the targeted indicator.
create table core.measure_effect (
    year                integer not null,
    level               text    not null check (level in ('school', 'municipality')),
    recommendation_code text    not null,
    indicator_code      text    not null,
    recommendation_year integer not null,
    treated_units       integer not null,
    control_units       integer not null,
    treated_before      numeric,
    treated_after       numeric,
    control_before      numeric,
    control_after       numeric,
    treated_change      numeric,
    control_change      numeric,
    did                 numeric,
    se                  numeric,
    improvement         boolean,
    verdict_ru          text    not null,
    primary key (year, level, recommendation_code, indicator_code)
);

-- One row per analysed year: when, with which settings, what came out.
create table core.analysis_run (
    year            integer primary key,
    finished_at     timestamptz not null default now(),
    settings_sha256 text  not null,
    summary         jsonb not null
);

-- ---------------------------------------------------------------------------------------------------
-- The published views (shared/contracts/warehouse.md): the contract's columns first, extras after.

create view mart.objectivity_signals as
select year, school_code, subject, grade, signal_code, value, threshold, flagged,
       signal_kind, participants, school_value, reference_value, p_value, verdict_ru
from core.objectivity_signal;
comment on view mart.objectivity_signals is
    'Сигналы необъективности результатов ВПР по ОО, предмету и параллели: значение, порог, отметка о превышении и вывод.';
comment on column mart.objectivity_signals.year is 'Год мониторинга';
comment on column mart.objectivity_signals.school_code is 'Код ОО';
comment on column mart.objectivity_signals.subject is 'Предмет ВПР';
comment on column mart.objectivity_signals.grade is 'Параллель ВПР (для сравнения с ОГЭ — 8)';
comment on column mart.objectivity_signals.signal_code is
    'Код сигнала: journal_lowered, journal_confirmed, journal_raised, journal_gap_2plus, boundary_peak, context_residual, vpr_vs_oge, jump';
comment on column mart.objectivity_signals.value is
    'Значение сигнала (в единицах сигнала: %, п. п., отношение или стандартные отклонения — см. docs/methodology.md)';
comment on column mart.objectivity_signals.threshold is 'Порог сигнала; пусто — справочный сигнал без порога';
comment on column mart.objectivity_signals.flagged is
    'Сигнал сработал: значение за порогом и отклонение статистически значимо; false при недостатке участников';
comment on column mart.objectivity_signals.signal_kind is
    'Вид сигнала (независимый источник признака): journal, boundary, context, oge, jump';
comment on column mart.objectivity_signals.participants is 'Число работ (участников) в группе';
comment on column mart.objectivity_signals.school_value is 'Исходная величина ОО, из которой получен сигнал';
comment on column mart.objectivity_signals.reference_value is 'Та же величина по региону (или ожидаемая по модели)';
comment on column mart.objectivity_signals.p_value is 'Вероятность получить такое или большее отклонение случайно';
comment on column mart.objectivity_signals.verdict_ru is
    'Вывод по-русски, в том числе «недостаточно участников» и «нет данных»';

create view mart.objectivity_verdicts as
select year, school_code, signal_kind, kind_name_ru, groups_assessed, groups_flagged, agrees, evidence_ru
from core.objectivity_verdict;
comment on view mart.objectivity_verdicts is
    'Вывод по каждому виду сигналов для ОО: сколько групп оценено, сколько отмечено, согласуется ли вид.';
comment on column mart.objectivity_verdicts.year is 'Год мониторинга';
comment on column mart.objectivity_verdicts.school_code is 'Код ОО';
comment on column mart.objectivity_verdicts.signal_kind is 'Вид сигнала: journal, boundary, context, oge, jump';
comment on column mart.objectivity_verdicts.kind_name_ru is 'Наименование вида сигнала';
comment on column mart.objectivity_verdicts.groups_assessed is 'Групп (предмет × параллель) с выводом';
comment on column mart.objectivity_verdicts.groups_flagged is 'Групп, где сработал хотя бы один сигнал этого вида';
comment on column mart.objectivity_verdicts.agrees is
    'Вид сигнала указывает на необъективность (доля отмеченных групп не ниже порога)';
comment on column mart.objectivity_verdicts.evidence_ru is 'Обоснование с примерами групп';

create view mart.school_status as
select s.year, s.school_code, s.municipality_code, s.low_results, s.unfavorable_conditions,
       s.biased_results_suspected, s.cluster, s.head_effectiveness_score,
       s.school_name, s.results_score, s.procedures_assessed, s.procedures_low, s.low_results_evidence_ru,
       s.unfavorable_signs, s.unfavorable_evidence_ru, s.biased_kinds, s.biased_evidence_ru,
       s.context_residual_z, s.successful_practice, s.cluster_name_ru, s.risk_factors_at_risk,
       s.risk_factors_no_data
from core.school_status s;
comment on view mart.school_status is
    'Статус ОО за год: низкие результаты, неблагоприятные условия, признаки необъективности, кластер, эффективность руководителя.';
comment on column mart.school_status.year is 'Год мониторинга';
comment on column mart.school_status.school_code is 'Код ОО';
comment on column mart.school_status.municipality_code is 'Код МО';
comment on column mart.school_status.low_results is
    'ОО с низкими результатами (правило — docs/methodology.md); пусто — нет результатов оценочных процедур';
comment on column mart.school_status.unfavorable_conditions is
    'ОО, функционирующая в неблагоприятных социальных условиях; пусто — нет данных о контексте';
comment on column mart.school_status.biased_results_suspected is
    'Признаки необъективности результатов: согласуются не менее двух независимых видов сигналов';
comment on column mart.school_status.cluster is 'Номер кластера ОО (1 — кластер с наиболее высокими результатами)';
comment on column mart.school_status.head_effectiveness_score is
    'Интегральная оценка эффективности руководителя, 0–100; пусто — мало направлений с данными';
comment on column mart.school_status.school_name is 'Наименование ОО';
comment on column mart.school_status.results_score is
    'Сводный результат оценочных процедур: среднее процентильных рангов ВПР, ОГЭ, ЕГЭ (0–100)';
comment on column mart.school_status.procedures_assessed is 'Число оценочных процедур с достаточным числом участников';
comment on column mart.school_status.procedures_low is 'Число процедур, по которым ОО в нижней части распределения региона';
comment on column mart.school_status.low_results_evidence_ru is 'Обоснование отнесения (или неотнесения) к ОО с низкими результатами';
comment on column mart.school_status.unfavorable_signs is 'Число признаков неблагоприятных социальных условий';
comment on column mart.school_status.unfavorable_evidence_ru is 'Признаки неблагоприятных условий со значениями';
comment on column mart.school_status.biased_kinds is 'Виды сигналов необъективности, которые согласуются';
comment on column mart.school_status.biased_evidence_ru is 'Обоснование по сигналам необъективности';
comment on column mart.school_status.context_residual_z is
    'Результат ОО относительно ожидаемого по социальному контексту, в стандартных отклонениях';
comment on column mart.school_status.successful_practice is 'ОО отобрана как носитель успешной практики';
comment on column mart.school_status.cluster_name_ru is 'Наименование кластера по его центру';
comment on column mart.school_status.risk_factors_at_risk is 'Число факторов риска, по которым ОО в зоне риска';
comment on column mart.school_status.risk_factors_no_data is 'Число факторов риска, которые нельзя оценить по данным';

create view mart.school_risk_profile as
select year, school_code, risk_factor_code, risk_factor_name_ru, at_risk, evidence_ru,
       metric_code, value, threshold, region_median, unit
from core.school_risk_factor;
comment on view mart.school_risk_profile is
    'Рисковый профиль ОО: федеральные факторы риска с отметкой риска и обоснованием; пусто — нет данных.';
comment on column mart.school_risk_profile.year is 'Год мониторинга';
comment on column mart.school_risk_profile.school_code is 'Код ОО';
comment on column mart.school_risk_profile.risk_factor_code is 'Код фактора риска (RF01–RF11)';
comment on column mart.school_risk_profile.risk_factor_name_ru is 'Наименование фактора риска';
comment on column mart.school_risk_profile.at_risk is 'ОО в зоне риска по фактору; пусто — данных для оценки нет';
comment on column mart.school_risk_profile.evidence_ru is 'Обоснование: значения показателей, пороги и медианы региона';
comment on column mart.school_risk_profile.metric_code is 'Показатель, определивший вывод (код показателя или поля)';
comment on column mart.school_risk_profile.value is 'Значение этого показателя у ОО';
comment on column mart.school_risk_profile.threshold is 'Порог этого показателя';
comment on column mart.school_risk_profile.region_median is 'Медиана этого показателя по ОО региона';
comment on column mart.school_risk_profile.unit is 'Единица измерения показателя';

create view mart.head_effectiveness as
select h.year, h.school_code, h.direction_code, h.direction_name_ru, h.score, h.deficit, h.evidence_ru,
       s.head_name, st.head_effectiveness_score as total_score
from core.head_effectiveness h
left join core.school s on s.year = h.year and s.school_code = h.school_code
left join core.school_status st on st.year = h.year and st.school_code = h.school_code;
comment on view mart.head_effectiveness is
    'Эффективность руководителя ОО по девяти направлениям мониторинга: оценка 0–100, профессиональный дефицит, обоснование.';
comment on column mart.head_effectiveness.year is 'Год мониторинга';
comment on column mart.head_effectiveness.school_code is 'Код ОО';
comment on column mart.head_effectiveness.direction_code is 'Код направления (H1–H9)';
comment on column mart.head_effectiveness.direction_name_ru is 'Наименование направления';
comment on column mart.head_effectiveness.score is 'Оценка по направлению, 0–100; пусто — нет данных';
comment on column mart.head_effectiveness.deficit is 'Профессиональный дефицит: оценка ниже порога; пусто — нет данных';
comment on column mart.head_effectiveness.evidence_ru is 'Из чего сложилась оценка';
comment on column mart.head_effectiveness.head_name is 'Руководитель ОО (из справочника школ)';
comment on column mart.head_effectiveness.total_score is 'Интегральная оценка руководителя, 0–100';

create view mart.successful_practices as
select p.year, p.school_code, p.practice_code, p.practice_name_ru, p.evidence_ru, s.municipality_code
from core.successful_practice p
left join core.school_status s on s.year = p.year and s.school_code = p.school_code;
comment on view mart.successful_practices is
    'ОО — носители успешных практик: высокие результаты в сложном контексте, устойчивый рост.';
comment on column mart.successful_practices.year is 'Год мониторинга';
comment on column mart.successful_practices.school_code is 'Код ОО';
comment on column mart.successful_practices.practice_code is 'Код вида практики';
comment on column mart.successful_practices.practice_name_ru is 'Вид успешной практики';
comment on column mart.successful_practices.evidence_ru is 'Обоснование со значениями';
comment on column mart.successful_practices.municipality_code is 'Код МО';

create view mart.clusters as
select year, level, cluster, name_ru, members, k, silhouette, centre, centre_ru
from core.analysis_cluster;
comment on view mart.clusters is
    'Кластеры ОО и МО по профилю показателей (k-средних): наименование и центр кластера.';
comment on column mart.clusters.year is 'Год мониторинга';
comment on column mart.clusters.level is 'Уровень: school — кластеры ОО, municipality — кластеры МО';
comment on column mart.clusters.cluster is 'Номер кластера (1 — наиболее высокие результаты в центре)';
comment on column mart.clusters.name_ru is 'Наименование кластера по его центру';
comment on column mart.clusters.members is 'Число ОО или МО в кластере';
comment on column mart.clusters.k is 'Число кластеров в разбиении';
comment on column mart.clusters.silhouette is 'Средний силуэт разбиения (качество кластеризации, от −1 до 1)';
comment on column mart.clusters.centre is 'Центр кластера: признак → среднее в стандартизованных единицах';
comment on column mart.clusters.centre_ru is 'Центр кластера в исходных единицах, по-русски';

create view mart.municipality_status as
select year, municipality_code, municipality_name, rank, score, expert_review_selected,
       expert_review_reason_ru, schools, indicators_used, cluster, cluster_name_ru, low_result_schools,
       unfavorable_schools, biased_suspected_schools, successful_practice_schools, head_effectiveness_mean
from core.municipality_status;
comment on view mart.municipality_status is
    'МО: место в рейтинге по показателям мотивирующего мониторинга, отбор для углублённой экспертизы, кластер, сводные числа ОО.';
comment on column mart.municipality_status.year is 'Год мониторинга';
comment on column mart.municipality_status.municipality_code is 'Код МО';
comment on column mart.municipality_status.municipality_name is 'Наименование МО';
comment on column mart.municipality_status.rank is 'Место в рейтинге (1 — лучшее)';
comment on column mart.municipality_status.score is
    'Рейтинговый балл: среднее стандартизованных отклонений показателей от среднего по МО с учётом полярности';
comment on column mart.municipality_status.expert_review_selected is 'МО отобрано для углублённой экспертизы';
comment on column mart.municipality_status.expert_review_reason_ru is 'Основание отбора (или неотбора)';
comment on column mart.municipality_status.schools is 'Число ОО МО';
comment on column mart.municipality_status.indicators_used is 'Число показателей, вошедших в рейтинг';
comment on column mart.municipality_status.cluster is 'Номер кластера МО';
comment on column mart.municipality_status.cluster_name_ru is 'Наименование кластера МО';
comment on column mart.municipality_status.low_result_schools is 'Число ОО с низкими результатами';
comment on column mart.municipality_status.unfavorable_schools is 'Число ОО в неблагоприятных социальных условиях';
comment on column mart.municipality_status.biased_suspected_schools is 'Число ОО с признаками необъективности результатов';
comment on column mart.municipality_status.successful_practice_schools is 'Число ОО — носителей успешных практик';
comment on column mart.municipality_status.head_effectiveness_mean is 'Средняя оценка эффективности руководителей ОО';

create view mart.municipality_indicator_gaps as
select year, municipality_code, indicator_code, name_ru, polarity, value, region_value, gap, gap_sd,
       municipal_rank
from core.municipality_indicator;
comment on view mart.municipality_indicator_gaps is
    'Показатели рейтинга МО: значение МО, значение по региону и разрыв.';
comment on column mart.municipality_indicator_gaps.year is 'Год мониторинга';
comment on column mart.municipality_indicator_gaps.municipality_code is 'Код МО';
comment on column mart.municipality_indicator_gaps.indicator_code is
    'Код показателя (каталога или аналитический, с префиксом an_)';
comment on column mart.municipality_indicator_gaps.name_ru is 'Наименование показателя';
comment on column mart.municipality_indicator_gaps.polarity is 'Полярность: higher_better или lower_better';
comment on column mart.municipality_indicator_gaps.value is 'Значение по МО';
comment on column mart.municipality_indicator_gaps.region_value is 'Значение по региону';
comment on column mart.municipality_indicator_gaps.gap is 'Разрыв: значение МО − значение региона';
comment on column mart.municipality_indicator_gaps.gap_sd is
    'Разрыв в стандартных отклонениях между МО, со знаком полярности: больше нуля — лучше региона';
comment on column mart.municipality_indicator_gaps.municipal_rank is 'Место МО по этому показателю (1 — лучшее)';

create view mart.municipality_correlations as
select year, municipality_code, indicator_x, indicator_y, schools, r_municipality, r_region, gap, flagged,
       evidence_ru
from core.municipality_correlation;
comment on view mart.municipality_correlations is
    'Связь показателей ОО внутри МО в сравнении с регионом (корреляция по ОО) и разрыв.';
comment on column mart.municipality_correlations.year is 'Год мониторинга';
comment on column mart.municipality_correlations.municipality_code is 'Код МО';
comment on column mart.municipality_correlations.indicator_x is 'Первый показатель пары';
comment on column mart.municipality_correlations.indicator_y is 'Второй показатель пары';
comment on column mart.municipality_correlations.schools is 'Число ОО МО со значениями обоих показателей';
comment on column mart.municipality_correlations.r_municipality is 'Коэффициент корреляции Пирсона по ОО МО';
comment on column mart.municipality_correlations.r_region is 'Тот же коэффициент по всем ОО региона';
comment on column mart.municipality_correlations.gap is 'Разрыв: r МО − r региона';
comment on column mart.municipality_correlations.flagged is 'Связь в МО заметно слабее региональной';
comment on column mart.municipality_correlations.evidence_ru is 'Вывод по-русски';

create view mart.measure_effects as
select year, level, recommendation_code, indicator_code, recommendation_year, treated_units, control_units,
       treated_before, treated_after, control_before, control_after, treated_change, control_change, did, se,
       improvement, verdict_ru
from core.measure_effect;
comment on view mart.measure_effects is
    'Результативность мер по рекомендациям прошлого года: разность разностей целевого показателя.';
comment on column mart.measure_effects.year is 'Год, в котором приняты меры (год рекомендаций + 1)';
comment on column mart.measure_effects.level is 'Уровень: school — ОО, municipality — МО';
comment on column mart.measure_effects.recommendation_code is 'Код рекомендации';
comment on column mart.measure_effects.indicator_code is 'Целевой показатель рекомендации';
comment on column mart.measure_effects.recommendation_year is 'Год рекомендаций';
comment on column mart.measure_effects.treated_units is 'Единиц, получивших рекомендацию и исполнивших меру';
comment on column mart.measure_effects.control_units is 'Единиц без мер по этой рекомендации (сравнения)';
comment on column mart.measure_effects.treated_before is 'Среднее значение показателя у принявших меры в год рекомендаций';
comment on column mart.measure_effects.treated_after is 'То же через год';
comment on column mart.measure_effects.control_before is 'Среднее значение у группы сравнения в год рекомендаций';
comment on column mart.measure_effects.control_after is 'То же через год';
comment on column mart.measure_effects.treated_change is 'Изменение у принявших меры';
comment on column mart.measure_effects.control_change is 'Изменение у группы сравнения';
comment on column mart.measure_effects.did is 'Разность разностей: изменение у принявших меры − изменение у группы сравнения';
comment on column mart.measure_effects.se is 'Стандартная ошибка разности разностей';
comment on column mart.measure_effects.improvement is
    'Эффект в желательную сторону и больше двух стандартных ошибок; пусто — оценить нельзя';
comment on column mart.measure_effects.verdict_ru is 'Вывод по-русски';
