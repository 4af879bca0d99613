-- ВсОШ by school × subject for one year: the school stage's winners and prize-winners, how many of them
-- took part in the next stage, and how many of those won a prize there (the same participant code and
-- subject). Only schools of the year's reference count.
with first_stage as (
    select o.school_code, o.subject, o.participant_hash
    from core.olympiad_result o
    join core.school s on s.year = o.year and s.school_code = o.school_code
    where o.year = :year and o.stage = :first_stage and o.status = any(:prize_statuses)
    group by o.school_code, o.subject, o.participant_hash
),
next_stage as (
    select participant_hash, subject, bool_or(status = any(:prize_statuses)) as prize
    from core.olympiad_result
    where year = :year and stage = :next_stage
    group by participant_hash, subject
)
select f.school_code, f.subject,
       count(*)                                as first_prizes,
       count(n.participant_hash)               as went_on,
       count(*) filter (where n.prize)         as next_prizes
from first_stage f
left join next_stage n using (participant_hash, subject)
group by f.school_code, f.subject
order by f.school_code, f.subject
