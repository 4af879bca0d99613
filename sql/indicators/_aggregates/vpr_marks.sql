-- ВПР works of the year and of the year before, counted by school × subject × grade × mark × journal mark:
-- everything the ВПР indicators count, read from core.vpr_result once instead of once per indicator.
-- indicators/compute.py creates it as the temporary table `vpr_marks` before the year's indicators run.
select year, school_code, subject, grade, mark, journal_mark, count(*) as works
from core.vpr_result
where year in (:year, :year - 1)
group by year, school_code, subject, grade, mark, journal_mark
