-- ЕГЭ by school as the Moscow education department publishes it (ext.moscow_ege, include/sources/moscow_ege.yaml):
-- each row counts for the school of the year it was resolved to (core.source_school, warehouse/resolve.py).
select m.school_code, sum(e.passer_160_plus) as numerator, sum(e.passed_number_full) as denominator
from ext.moscow_ege e
join core.source_school m on m.load_id = e.load_id and m.row_number = e.row_number
where e.year = :year and m.school_code is not null
group by m.school_code
