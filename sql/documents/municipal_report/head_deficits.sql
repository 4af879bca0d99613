-- The municipality's heads who need targeted help: every direction of the heads' monitoring in deficit
-- (Irkutsk §5.3: targeted help to heads).
select h.school_code, coalesce(s.school_name, 'ОО ' || s.school_code) as school_name, h.head_name,
       h.direction_code, h.direction_name_ru, h.score, h.evidence_ru
from mart.head_effectiveness h
join core.school s on s.year = h.year and s.school_code = h.school_code
where h.year = :year and s.municipality_code = :municipality_code and h.deficit
order by h.school_code, h.direction_code
