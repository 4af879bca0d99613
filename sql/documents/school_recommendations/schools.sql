-- The year's schools (with `municipality_code`, one municipality's only), with their cluster.
select s.school_code, coalesce(s.school_name, 'ОО ' || s.school_code) as school_name, s.municipality_code, m.municipality_name, s.school_type, s.locality,
       s.head_name, s.students, st.cluster_name_ru, st.cluster
from core.school s
join core.municipality m using (year, municipality_code)
left join mart.school_status st on st.year = s.year and st.school_code = s.school_code
where s.year = :year and (cast(:municipality_code as text) is null or s.municipality_code = :municipality_code)
order by s.municipality_code, s.school_code
