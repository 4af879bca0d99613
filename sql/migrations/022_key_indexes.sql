-- A file's rows whose key another file of the year already holds go to quarantine (warehouse/load.py,
-- key_in_table). Each row of the file is looked up in this index, so the check costs the file's rows, not the
-- year's: joined by hash instead, it read the whole year's table once per file (1.2 s for the 16th ВПР file of a
-- 900-school region, and a country's year loads hundreds of files). The ВПР index replaces (year, school_code),
-- which is its prefix and serves the same queries.
drop index core.vpr_result_year_school;
create index vpr_result_key on core.vpr_result (year, school_code, subject, grade, participant_hash);
create index gia_result_key on core.gia_result (year, exam_form, subject, exam_date, participant_hash);
