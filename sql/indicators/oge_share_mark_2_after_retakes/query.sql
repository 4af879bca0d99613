-- The outcome after the retakes: a participant's best valid attempt in each subject (main period and
-- retakes alike); annulled results count nowhere.
with best as (
    select school_code, participant_hash, subject, max(mark) as mark
    from core.gia_result
    where year = :year and exam_form = 'ОГЭ' and status <> 'аннулирован'
    group by school_code, participant_hash, subject
)
select s.school_code,
       count(b.mark) filter (where b.mark = 2) as numerator,
       count(b.mark)                           as denominator
from core.school s
left join best b on b.school_code = s.school_code
where s.year = :year
group by s.school_code
