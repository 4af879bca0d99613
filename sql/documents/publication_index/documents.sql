-- Every document recorded for the year, by municipality (a school's or the municipality's own), the
-- municipality's report and draft order first, then by kind and unit.
select d.kind, d.unit_code, d.format, d.path, coalesce(s.school_name, 'ОО ' || s.school_code, m.municipality_name) as name,
       coalesce(s.municipality_code, m.municipality_code) as municipality_code
from core.document d
left join core.school s on s.year = d.year and s.school_code = d.unit_code
left join core.municipality m on m.year = d.year and m.municipality_code = d.unit_code
where d.year = :year
order by 6, d.kind <> 'municipal_report', d.kind <> 'draft_order', 2, 3
