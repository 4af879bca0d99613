select s.school_code,
       h.reserve_trained as numerator,
       h.reserve_size    as denominator
from core.school s
left join core.head h on h.year = s.year and h.school_code = s.school_code
where s.year = :year
