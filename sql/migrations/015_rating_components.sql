-- The municipalities' score shows what it is made of: each indicator's signed z in the score (null when the
-- score leaves it out), whether it is built on ВПР, and the share of the score that comes from ВПР (Rosobrnadzor:
-- ВПР results are for analysis, not for ratings; the settings may leave them out). Published views only gain
-- columns, at the end.
alter table core.municipality_indicator add column rating_z numeric;
alter table core.municipality_indicator add column vpr_based boolean;
alter table core.municipality_status add column vpr_share numeric;

create or replace view mart.municipality_indicator_gaps as
select year, municipality_code, indicator_code, name_ru, polarity, value, region_value, gap, gap_sd,
       municipal_rank, rating_z, vpr_based
from core.municipality_indicator;
comment on column mart.municipality_indicator_gaps.rating_z is
    'Вклад в интегральный балл МО: стандартизованное значение (z по МО) со знаком полярности; пусто — не входит в балл';
comment on column mart.municipality_indicator_gaps.vpr_based is 'Показатель построен на результатах ВПР';

create or replace view mart.municipality_status as
select year, municipality_code, municipality_name, rank, score, expert_review_selected,
       expert_review_reason_ru, schools, indicators_used, cluster, cluster_name_ru, low_result_schools,
       unfavorable_schools, biased_suspected_schools, successful_practice_schools, head_effectiveness_mean,
       vpr_share
from core.municipality_status;
comment on column mart.municipality_status.vpr_share is
    'Доля интегрального балла, приходящаяся на показатели, построенные на ВПР, %';
