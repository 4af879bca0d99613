-- Which analyses the year's data allow, and why not: a region whose files give only some of the contract's
-- data (a described source such as the Moscow ЕГЭ by school) gets the analyses its data allow, and the others
-- named with the data they need. Read from the analysis tables of migration 005 and the loaded sources.

create view mart.analysis_coverage as
with years as (select distinct year from core.school),
facts as (
    select y.year,
           exists (select from core.vpr_result v where v.year = y.year) as has_vpr,
           exists (select from core.school s where s.year = y.year and (s.low_income_pct is not null
                   or s.non_native_pct is not null or s.disability_pct is not null)) as has_social,
           exists (select from core.school s where s.year = y.year and s.students is not null) as has_students,
           exists (select from core.school s where s.year = y.year and s.locality = 'сельская') as has_rural,
           exists (select from core.school_status st where st.year = y.year and st.low_results is not null) as has_results,
           exists (select from core.school_status st where st.year = y.year and st.unfavorable_conditions) as has_unfavorable,
           (select count(distinct st.year) from core.school_status st
             where st.year <= y.year and st.results_score is not null) as result_years,
           exists (select from core.teacher t where t.year = y.year) as has_teachers,
           exists (select from core.self_evaluation e where e.year = y.year) as has_self_evaluation,
           exists (select from core.recommendation r where r.year = y.year - 1) as has_last_recommendations,
           exists (select from core.measure m where m.year = y.year) as has_measures
    from years y
),
rows as (
    select f.year, 1 as position, 'objectivity' as analysis_code, 'Объективность результатов ВПР' as name_ru,
           exists (select from core.objectivity_signal o where o.year = f.year) as done,
           case when not f.has_vpr then 'нет протоколов ВПР (vpr/*): сигналы необъективности не рассчитываются'
                else 'ни в одной группе ВПР нет минимального числа работ' end as missing_ru
    from facts f
    union all
    select f.year, 2, 'low_results', 'ОО с низкими результатами', f.has_results,
           'нет показателей оценочных процедур (ВПР, ОГЭ, ЕГЭ) с группой не меньше минимальной'
    from facts f
    union all
    select f.year, 3, 'unfavorable_conditions', 'ОО в неблагоприятных социальных условиях',
           f.has_social or f.has_rural or f.has_students,
           'нет сведений о контингенте ОО (доли обучающихся из малообеспеченных семей, с неродным русским языком, '
           'с ОВЗ), о численности обучающихся и сельских ОО'
    from facts f
    union all
    select f.year, 4, 'risk_profile', 'Рисковый профиль ОО по федеральным факторам риска',
           exists (select from core.school_risk_factor r where r.year = f.year and r.at_risk is not null),
           'нет показателей факторов риска: оснащённости, кадров, повышения квалификации, результатов ВПР и ОГЭ, '
           'контингента'
    from facts f
    union all
    select f.year, 5, 'head_effectiveness', 'Эффективность руководителей ОО',
           exists (select from core.head_effectiveness h where h.year = f.year and h.score is not null),
           'нет данных ни по одному направлению мониторинга руководителей'
    from facts f
    union all
    select f.year, 6, 'successful_practices', 'Успешные практики',
           f.has_unfavorable or f.has_rural or f.result_years >= 2,
           'практика «высокие результаты в сложном контексте» ищется среди ОО в неблагоприятных условиях и '
           'сельских ОО — таких в данных нет; «устойчивый рост» — по сводным результатам нескольких лет подряд, '
           'а лет со сводными результатами загружено: ' || f.result_years
    from facts f
    union all
    select f.year, 7, 'clusters', 'Кластеры ОО',
           exists (select from core.analysis_cluster c where c.year = f.year and c.level = 'school'),
           'нет признаков ОО для кластеризации'
    from facts f
    union all
    select f.year, 8, 'municipalities', 'Рейтинг муниципалитетов и отбор на углублённую экспертизу',
           exists (select from core.municipality_status m where m.year = f.year and m.rank is not null),
           'нет показателей рейтинга муниципалитетов'
    from facts f
    union all
    select f.year, 9, 'measure_effects', 'Результативность мер по рекомендациям прошлого года',
           exists (select from core.measure_effect e where e.year = f.year),
           case when not f.has_last_recommendations then 'нет рекомендаций прошлого (' || (f.year - 1) || ') года'
                when not f.has_measures then 'нет файла мер measures.* этого года'
                else 'нет мер с целевыми показателями за оба года' end
    from facts f
)
select year, position, analysis_code, name_ru, done, case when done then null else missing_ru end as missing_ru
from rows
where (select core.municipal_scope(current_user)) is null;
comment on view mart.analysis_coverage is
    'Какие разделы анализа позволяют данные года: выполнен ли раздел, а если нет — каких данных для него нет.';

do $$
begin
    if exists (select from pg_roles where rolname = 'edu_mart_reader') then
        alter view mart.analysis_coverage owner to edu_mart_reader;
    end if;
end
$$;
