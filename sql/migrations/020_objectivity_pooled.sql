-- A kind of objectivity signal judged on all the school's groups together (analysis/objectivity.py, pooled_z):
-- Stouffer's z of the groups' p-values measured from the region's empirical null. A kind agrees when enough
-- groups are flagged or when this z reaches its threshold (include/analysis/settings.yaml, objectivity.rollup.pooled).

alter table core.objectivity_verdict add column pooled_z numeric;

create or replace view mart.objectivity_verdicts as
select year, school_code, signal_kind, kind_name_ru, groups_assessed, groups_flagged, agrees, evidence_ru, pooled_z
from core.objectivity_verdict;
comment on column mart.objectivity_verdicts.agrees is
    'Вид сигнала указывает на необъективность: доля отмеченных групп не ниже порога или объединённый по всем группам z (pooled_z) не ниже порога';
comment on column mart.objectivity_verdicts.pooled_z is
    'Все оценённые группы ОО вместе: z Стауффера по p-value групп, отсчитанный от эмпирического нуля региона (медиана и межквартильный размах по ОО региона); пусто — меньше двух групп с p-value';
