-- Measures of year Y (measures.* of the inbox Y) answer the recommendations of Y − 1.
select s.school_code,
       count(m.done) filter (where m.done) as numerator,
       count(m.done)                       as denominator
from core.school s
left join core.measure m on m.year = s.year and m.level = 'ОО' and m.unit_code = s.school_code
where s.year = :year
group by s.school_code
