-- ВПР by school × subject × grade for one year: marks and the comparison with the journal mark.
-- Only schools of the year's reference count (as in the indicators).
select v.school_code, v.subject, v.grade,
       count(*)                                                                  as works,
       count(*) filter (where v.mark = 2)                                         as marks_2,
       count(*) filter (where v.mark >= 4)                                        as marks_4_5,
       count(v.journal_mark)                                                      as with_journal,
       count(*) filter (where v.journal_mark is not null and v.mark < v.journal_mark)  as lowered,
       count(*) filter (where v.journal_mark is not null and v.mark = v.journal_mark)  as confirmed,
       count(*) filter (where v.journal_mark is not null and v.mark > v.journal_mark)  as raised,
       count(*) filter (where v.journal_mark is not null and abs(v.mark - v.journal_mark) >= 2) as gap_2plus
from core.vpr_result v
join core.school s on s.year = v.year and s.school_code = v.school_code
where v.year = :year
group by v.school_code, v.subject, v.grade
order by v.school_code, v.subject, v.grade
