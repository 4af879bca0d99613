-- The published interface (shared/contracts/warehouse.md): views may gain columns, never lose them.

create view mart.load_log as
select year, source, file_name, sha256, rows_read, rows_loaded, rows_quarantined, loaded_at, status,
       message, load_id
from core.load_log;
comment on view mart.load_log is
    'Журнал загрузки: одна строка на загруженный (или отклонённый) файл; прочитано = загружено + в карантине.';

create view mart.quarantine as
select l.year, l.source, l.file_name, q.row_number, q.column_name, q.reason, q.raw, q.rules, q.load_id
from core.quarantine q
join core.load_log l using (load_id)
where l.status = 'loaded';
comment on view mart.quarantine is
    'Карантин: строки файлов, не прошедшие проверку, с номером строки, столбцом и причиной.';

create view mart.indicator_catalog as
select indicator_code, name_ru, direction_code, direction_name_ru, unit, polarity, formula_ru, source,
       aggregation, thresholds
from core.indicator;
comment on view mart.indicator_catalog is
    'Каталог показателей: код, наименование, направление, единица, полярность, формула, источник.';

create view mart.indicator_values as
select v.year, v.level, v.unit_code, v.indicator_code, v.value, v.numerator, v.denominator,
       p.value as previous_value,
       v.value - p.value as change
from core.indicator_value v
left join core.indicator_value p
       on p.year = v.year - 1 and p.level = v.level and p.unit_code = v.unit_code
      and p.indicator_code = v.indicator_code;
comment on view mart.indicator_values is
    'Значения показателей по годам на уровнях ОО, МО и региона, с прошлогодним значением и изменением.';

create view mart.recommendations as
select year, level, unit_code, recommendation_code, text_ru, basis_ru, due_date
from core.recommendation;
comment on view mart.recommendations is
    'Адресные рекомендации: адресат, текст, основание и срок исполнения.';
