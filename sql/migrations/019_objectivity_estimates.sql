-- Objectivity beyond a flag (analysis/objectivity.py, analysis/bunching.py): how many works were raised to
-- the mark boundaries, with a 95 % interval, on the boundary signals of ВПР and ОГЭ; the kinds `tasks` (the tasks
-- the region finds hard done better than the easy ones), `gia` (ОГЭ) and `olympiad` (the school stage of ВсОШ)
-- need no new column.

alter table core.objectivity_signal add column estimate numeric;
alter table core.objectivity_signal add column estimate_low numeric;
alter table core.objectivity_signal add column estimate_high numeric;

create or replace view mart.objectivity_signals as
select year, school_code, subject, grade, signal_code, value, threshold, flagged,
       signal_kind, participants, school_value, reference_value, p_value, verdict_ru,
       estimate, estimate_low, estimate_high
from core.objectivity_signal;
comment on view mart.objectivity_signals is
    'Сигналы необъективности результатов ВПР по ОО, предмету и параллели: значение, порог, отметка о превышении, вывод и оценка числа работ, поднятых к границам отметок.';
comment on column mart.objectivity_signals.signal_code is
    'Код сигнала: journal_lowered, journal_confirmed, journal_raised, journal_gap_2plus, boundary_peak, context_residual, vpr_vs_oge, jump, task_inversion, oge_vs_vpr, oge_boundary, olympiad_next_stage';
comment on column mart.objectivity_signals.signal_kind is
    'Вид сигнала (независимый источник признака): journal, boundary, context, oge, jump, tasks, gia (ОГЭ), olympiad (школьный этап ВсОШ)';
comment on column mart.objectivity_signals.estimate is
    'Для boundary_peak (ВПР) и oge_boundary (ОГЭ): оценка числа работ, поднятых к границам отметок (избыток над распределением остального региона, подогнанным к ОО вне границ); пусто — не оценивалось';
comment on column mart.objectivity_signals.estimate_low is 'Нижняя граница 95-процентного интервала оценки';
comment on column mart.objectivity_signals.estimate_high is 'Верхняя граница 95-процентного интервала оценки';
comment on column mart.objectivity_verdicts.signal_kind is 'Вид сигнала: journal, boundary, context, oge, jump, tasks, gia, olympiad';
comment on column mart.objectivity_signals.grade is 'Параллель ВПР (для сравнения с ОГЭ — 8; для ОГЭ — 9; для ВсОШ — 0: все классы)';
comment on column mart.objectivity_signals.subject is 'Предмет ВПР или ОГЭ; для ВсОШ — «ВсОШ, все предметы»';

-- Measures' effect judged like with like (analysis/measure_effects.py): the comparison used (`recommended`:
-- the units that got the same recommendation and did not act; `adjusted`: every unit without a measure, the
-- change adjusted for the starting value, which regression to the mean would otherwise credit to the
-- measure), the effect, Student's t, its degrees of freedom and the two-sided p.
alter table core.measure_effect add column comparison text;
alter table core.measure_effect add column estimate numeric;
alter table core.measure_effect add column t_stat numeric;
alter table core.measure_effect add column df numeric;
alter table core.measure_effect add column p_value numeric;

create or replace view mart.measure_effects as
select year, level, recommendation_code, indicator_code, recommendation_year, treated_units, control_units,
       treated_before, treated_after, control_before, control_after, treated_change, control_change, did, se,
       improvement, verdict_ru, comparison, estimate, t_stat, df, p_value
from core.measure_effect;
comment on view mart.measure_effects is
    'Результативность мер по рекомендациям прошлого года: разность разностей целевого показателя и вывод при сравнении сопоставимого (с не принявшими мер получателями той же рекомендации или с поправкой на прошлогоднее значение).';
comment on column mart.measure_effects.did is 'Разность разностей без поправок: изменение у принявших меры − у группы сравнения';
comment on column mart.measure_effects.se is 'Стандартная ошибка разности разностей (Уэлч); пусто — в группе меньше двух единиц';
comment on column mart.measure_effects.improvement is
    'Эффект в желательную сторону и значим (p < alpha из settings.yaml); пусто — оценить нельзя';
comment on column mart.measure_effects.comparison is
    'С кем сравнивали: recommended — с получившими ту же рекомендацию и не принявшими мер; adjusted — со всеми без мер, с поправкой на значение прошлого года (регрессия к среднему); none — единиц слишком мало';
comment on column mart.measure_effects.estimate is 'Оценка эффекта по выбранному сравнению (в единицах показателя)';
comment on column mart.measure_effects.t_stat is 't-статистика оценки';
comment on column mart.measure_effects.df is 'Число степеней свободы (Уэлч — Саттертуэйт или n − 3)';
comment on column mart.measure_effects.p_value is 'Двусторонний p-value оценки';
