"""The whole indicator catalogue on a small hand-made inbox: every indicator added in issue 4 checked at
school level against numbers worked out by hand (literals or tiny arithmetic, never the same SQL), a few
at municipality and region level, last year's value and the change; the catalogue's metadata; the data
dictionary in docs/ up to date; the read-only analyst role.

Years 2019–2020: a head appointed under three years before 31 December of the year needs a date in the
past (schools.* rejects appointment dates in the future), and no other test uses them.
"""
from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import create_engine, text

from edu_quality.config import PATHS
from edu_quality.indicators.catalog import AGGREGATIONS, POLARITIES, UNITS, load_catalog, load_not_computable
from edu_quality.indicators.compute import compute_year
from edu_quality.indicators.dictionary import HTML_FILE, MARKDOWN_FILE, write_dictionary
from edu_quality.pipeline.ingest import ingest_file
from edu_quality.sources import contract as c
from edu_quality.warehouse.connection import sqlalchemy_url, warehouse_url

from .helpers import SCALES_HEADER, SCHOOLS_HEADER, VPR_HEADER, vpr_row, write

YEAR = 2020
PREVIOUS = YEAR - 1


def header(source) -> str:
    return ";".join(col.header for col in source.columns)


SCHOOLS_FULL_HEADER = SCHOOLS_HEADER + ";" + ";".join(
    c.SCHOOLS.column(n).header for n in ("low_income_pct", "non_native_pct", "disability_pct"))

# code; name; municipality; …; head appointed; pupils; low-income %; non-native %; ОВЗ %
SCHOOLS = [
    "C0001;Школа 1;MO41;Город;СОШ;городская;И. И. Иванов;01.09.2015;200;10;5;2",
    "C0002;Школа 2;MO41;Город;СОШ;городская;П. П. Петров;15.03.2018;100;40;;6",
    "C0003;Школа 3;MO42;Район;СОШ;сельская;С. С. Сидоров;01.02.2013;50;;20;10",
]

GIA_THRESHOLDS = [
    header(c.GIA_THRESHOLDS),
    f"{YEAR};ОГЭ;Русский язык;;15;22;29",
    f"{YEAR};ОГЭ;Математика;;8;15;22",
    f"{YEAR};ОГЭ;Обществознание;;14;24;31",
    f"{YEAR};ЕГЭ;Русский язык;24;;;",
    f"{YEAR};ЕГЭ;Математика профильная;27;;;",
    f"{YEAR};ЕГЭ;Обществознание;42;;;",
    f"{YEAR};ЕГЭ;Математика базовая;;7;12;17",
    # no row for ЕГЭ Физика: its results cannot be judged against a minimum score
]

# ОГЭ primary scores giving each mark under the thresholds above.
OGE_PRIMARY = {"Русский язык": {2: 10, 3: 16, 4: 25, 5: 30}, "Математика": {2: 5, 3: 10, 4: 18, 5: 25},
               "Обществознание": {4: 25, 5: 32}}
BASE_PRIMARY = {2: 5, 3: 9, 4: 14, 5: 18}
VALID, ANNULLED, RETAKE = c.GIA_STATUSES


def oge(school, pupil, subject, mark, day, status=VALID):
    return f"{school};{pupil};ОГЭ;{subject};{day};{OGE_PRIMARY[subject][mark]};;{mark};{status}"


def ege(school, pupil, subject, score, day, status=VALID):
    return f"{school};{pupil};ЕГЭ;{subject};{day};{score // 2};{score};;{status}"


def ege_base(school, pupil, mark, day, status=VALID):
    return f"{school};{pupil};ЕГЭ;Математика базовая;{day};{BASE_PRIMARY[mark]};;{mark};{status}"


RUS, MATH, SOC = "Русский язык", "Математика", "Обществознание"
GIA = [header(c.GIA)] + [
    # C0001 ОГЭ Русский язык: first attempts 2,3,4,4,5,2; P07 annulled (no retake: counts nowhere);
    # P01 retakes to 3, P06 retakes and gets 2 again (retakes replace nothing in first-attempt shares).
    *[oge("C0001", p, RUS, m, "03.06.2020") for p, m in
      [("P01", 2), ("P02", 3), ("P03", 4), ("P04", 4), ("P05", 5), ("P06", 2)]],
    oge("C0001", "P07", RUS, 5, "03.06.2020", ANNULLED),
    oge("C0001", "P01", RUS, 3, "24.06.2020", RETAKE),
    oge("C0001", "P06", RUS, 2, "04.09.2020", RETAKE),
    # C0001 ОГЭ Математика: 3,3,2,4,5,4; P07's main result annulled, so its retake (3) is its first attempt.
    *[oge("C0001", p, MATH, m, "10.06.2020") for p, m in
      [("P01", 3), ("P02", 3), ("P03", 2), ("P04", 4), ("P05", 5), ("P06", 4)]],
    oge("C0001", "P07", MATH, 2, "10.06.2020", ANNULLED),
    oge("C0001", "P07", MATH, 3, "25.06.2020", RETAKE),
    # C0001 ОГЭ Обществознание: 4, 5
    oge("C0001", "P02", SOC, 4, "29.05.2020"),
    oge("C0001", "P04", SOC, 5, "29.05.2020"),
    # C0002: four ОГЭ results, under the minimum group of 5 (no school value, counted above)
    oge("C0002", "Q01", RUS, 3, "03.06.2020"), oge("C0002", "Q02", RUS, 2, "03.06.2020"),
    oge("C0002", "Q01", MATH, 4, "10.06.2020"), oge("C0002", "Q02", MATH, 2, "10.06.2020"),
    # C0001 ЕГЭ Русский язык: 80,70,20,90,60 and R07 early 55 (its July improvement retake, 75, ignored);
    # R06's 95 annulled; R03's June retake (40) ignored.
    *[ege("C0001", p, RUS, s, "28.05.2020") for p, s in
      [("R01", 80), ("R02", 70), ("R03", 20), ("R04", 90), ("R05", 60)]],
    ege("C0001", "R06", RUS, 95, "28.05.2020", ANNULLED),
    ege("C0001", "R07", RUS, 55, "26.03.2020"),
    ege("C0001", "R07", RUS, 75, "04.07.2020", RETAKE),
    ege("C0001", "R03", RUS, 40, "24.06.2020", RETAKE),
    # C0001 ЕГЭ Математика профильная: 76,50,20,92,27 (27 is the minimum itself: not below it)
    *[ege("C0001", p, "Математика профильная", s, "01.06.2020") for p, s in
      [("R01", 76), ("R02", 50), ("R03", 20), ("R04", 92), ("R05", 27)]],
    # C0001 ЕГЭ Физика 85, 60 (no minimum score row); Обществознание 41 (below 42), 50
    ege("C0001", "R01", "Физика", 85, "05.06.2020"), ege("C0001", "R04", "Физика", 60, "05.06.2020"),
    ege("C0001", "R02", SOC, 41, "04.06.2020"), ege("C0001", "R05", SOC, 50, "04.06.2020"),
    # C0001 ЕГЭ Математика базовая: 4,2,3,5,2; R07's retake (3) ignored
    *[ege_base("C0001", p, m, "01.06.2020") for p, m in
      [("R06", 4), ("R07", 2), ("R08", 3), ("R09", 5), ("R10", 2)]],
    ege_base("C0001", "R07", 3, "21.06.2020", RETAKE),
    # C0003 ЕГЭ: Русский язык 68,72,64,70,66 (mean 68); Математика профильная 40,30,26 (3 results)
    *[ege("C0003", p, RUS, s, "28.05.2020") for p, s in
      [("T01", 68), ("T02", 72), ("T03", 64), ("T04", 70), ("T05", 66)]],
    *[ege("C0003", p, "Математика профильная", s, "01.06.2020") for p, s in
      [("T01", 40), ("T02", 30), ("T03", 26)]],
]

# ВПР of grade 8 a year earlier: the cohort that sits ОГЭ this year.
VPR_PREVIOUS = [VPR_HEADER] + [
    vpr_row("C0001", f"V{i}", t1, t2, m, m, grade=8, cls="8А")
    for i, (t1, t2, m) in enumerate([(2, 8, 5), (1, 8, 5), (1, 5, 4), (1, 5, 4), (1, 5, 4), (1, 2, 3), (1, 2, 3),
                                     (0, 1, 2)])
] + [vpr_row("C0002", f"W{i}", 2, 8, 5, 5, grade=8, cls="8Б") for i in range(3)]

SE_ITEMS = ["1.1 Общая численность учащихся",
            "1.5 Численность/удельный вес численности учащихся, успевающих на «4» и «5»",
            "1.8 Средний балл единого государственного экзамена выпускников 11 класса по русскому языку",
            "1.9 Средний балл единого государственного экзамена выпускников 11 класса по математике",
            "1.20 Численность/удельный вес численности учащихся с углубленным изучением отдельных предметов",
            "1.21 Численность/удельный вес численности учащихся в рамках профильного обучения",
            "2.1 Количество компьютеров в расчете на одного учащегося",
            "2.3 Наличие системы электронного документооборота",
            "2.4 Наличие читального зала библиотеки",
            "2.5 Численность/удельный вес учащихся с широкополосным Интернетом",
            "2.6 Общая площадь помещений в расчете на одного учащегося"]
SELF_EVALUATION = [";".join(["Отметка времени", "Код ОО"] + SE_ITEMS),
                   # C0002's first submission is superseded by its later one
                   "12.01.2021 10:00:00;C0002;100;10/10%;;;0/0%;0/0%;0,1;нет;да;60/60%;8",
                   "15.01.2021 09:30:00;C0001;200;120 человек / 60,5 %;63,0;54,0;50/25%;30/15%;0,15;да;нет;"
                   "180 человек / 90 %;10,5",
                   "16.01.2021 11:00:00;C0002;100;40 человек / 40 %;;;0/0%;0/0%;0,1;нет;да;60/60%;8",
                   "17.01.2021 12:00:00;C0003;50;25/50%;69;40;0/0%;20 человек / 40 %;0,2;да;да;25/50%;20"]

# category, experience, age, diagnosed, ДПО hours, targeted, expert, pedagogical education
C0001_STAFF = [("высшая", 25, 50, "да", 72, "да", "нет", "да"),
               ("высшая", 30, 56, "нет", 0, "нет", "да", "да"),
               ("первая", 10, 35, "да", 36, "нет", "нет", "да"),
               ("первая", 3, 26, "да", 16, "да", "нет", "нет"),
               ("без категории", 1, 23, "нет", 15, "нет", "нет", "да"),
               ("первая", 20, 45, "да", 300, "нет", "нет", "нет"),
               ("высшая", 35, 60, "нет", 108, "нет", "да", "да"),
               ("без категории", 4, 30, "да", 0, "нет", "нет", "да"),
               ("первая", 12, 40, "нет", 24, "нет", "нет", "нет"),
               ("высшая", 15, 55, "да", 144, "да", "нет", "да")]
C0002_STAFF = [("первая", 8, 33, "да", 36, "нет", "нет", "да"),
               ("без категории", 2, 24, "нет", 0, "нет", "нет", "да"),
               ("высшая", 28, 58, "да", 72, "да", "да", "нет"),
               ("первая", 14, 44, "нет", 18, "нет", "нет", "да")]
TEACHERS = [header(c.TEACHERS)] + [
    ";".join([school, f"{school}T{i}", "учитель", *map(str, t)])
    for school, staff in (("C0001", C0001_STAFF), ("C0002", C0002_STAFF)) for i, t in enumerate(staff)]

OLYMPIADS = [header(c.OLYMPIADS)] + [
    f"{YEAR};{stage};{subject};{school};{pupil};{grade};{status}" for stage, subject, school, pupil, grade, status in [
        ("школьный", "Математика", "C0001", "O1", 9, "участник"),
        ("школьный", "Физика", "C0001", "O1", 9, "призёр"),
        ("школьный", "Математика", "C0001", "O2", 10, "победитель"),
        ("школьный", "Русский язык", "C0001", "O3", 8, "участник"),
        ("школьный", "Русский язык", "C0001", "O4", 8, "участник"),
        ("муниципальный", "Математика", "C0001", "O2", 10, "победитель"),
        ("муниципальный", "Физика", "C0001", "O1", 9, "призёр"),
        ("муниципальный", "Русский язык", "C0001", "O3", 8, "участник"),
        ("региональный", "Математика", "C0001", "O2", 10, "призёр"),
        ("заключительный", "Математика", "C0001", "O2", 10, "участник"),
        ("школьный", "Биология", "C0002", "O5", 7, "участник"),
        ("школьный", "Биология", "C0002", "O6", 7, "участник"),
        ("муниципальный", "Биология", "C0002", "O5", 7, "призёр"),
    ]]

MEASURES = [header(c.MEASURES)] + [
    f"{YEAR};{level};{code};R-{n};Мера {n};Заместитель директора;{due};{done}"
    for n, (level, code, done, due) in enumerate([
        ("ОО", "C0001", "да", "30.06.2020"), ("ОО", "C0001", "да", "30.06.2020"), ("ОО", "C0001", "нет", "30.06.2020"),
        ("ОО", "C0002", "нет", "30.06.2020"), ("МО", "MO41", "да", "30.06.2020"),
        ("ОО", "C0002", "нет", "01.03.2021")])]   # not yet due on 31 December: not late

# heads.*: C0001 assessed 15.03.2018 (within five years), a reserve of 2 with 1 trained; C0002 never assessed,
# no ДПО, no reserve; C0003 has no row.
HEADS = [header(c.HEADS), "C0001;5;72,5;15.03.2018;36;2;1;да", "C0002;2;;;0;0;0;нет"]


@pytest.fixture(scope="module")
def values(tmp_path_factory, warehouse):
    root = tmp_path_factory.mktemp("catalog")
    for year in (PREVIOUS, YEAR):
        write(root / str(year), "schools.csv", [SCHOOLS_FULL_HEADER] + SCHOOLS)
        assert ingest_file(warehouse, year, "schools", root / str(year) / "schools.csv",
                           "schools.csv").rows_quarantined == 0
    write(root / str(PREVIOUS), "vpr_scales.csv", [SCALES_HEADER, f"{PREVIOUS};Математика;8;10;3;6;9"])
    write(root / str(PREVIOUS), "vpr/grade8.csv", VPR_PREVIOUS)
    for source, name in (("vpr_scales", "vpr_scales.csv"), ("vpr", "vpr/grade8.csv")):
        assert ingest_file(warehouse, PREVIOUS, source, root / str(PREVIOUS) / name, name).rows_quarantined == 0
    files = [("gia_thresholds", "gia_thresholds.csv", GIA_THRESHOLDS, 0), ("gia", "gia/results.csv", GIA, 0),
             ("self_evaluation", "self_evaluation.csv", SELF_EVALUATION, 1), ("teachers", "teachers.csv", TEACHERS, 0),
             ("olympiads", "olympiads.csv", OLYMPIADS, 0), ("measures", "measures.csv", MEASURES, 0),
             ("heads", "heads.csv", HEADS, 0)]
    for source, name, lines, quarantined in files:
        write(root / str(YEAR), name, lines)
        stats = ingest_file(warehouse, YEAR, source, root / str(YEAR) / name, name)
        assert (stats.status, stats.rows_quarantined) == ("loaded", quarantined), (name, stats.message)
    for year in (PREVIOUS, YEAR):
        compute_year(warehouse, year)
    with warehouse.connect() as conn:
        rows = conn.execute(text(
            "select level, unit_code, indicator_code, value, numerator, denominator, previous_value, change, "
            "numerator_2, denominator_2, municipality_code, unit_name, unit "
            "from mart.indicator_values where year = :y"), {"y": YEAR}).mappings().all()
    return {(r["level"], r["unit_code"], r["indicator_code"]): r for r in rows}


def v(values, code, unit="C0001", level=None):
    level = level or ("region" if unit == "region" else "municipality" if unit.startswith("MO") else "school")
    value = values[(level, unit, code)]["value"]
    return None if value is None else float(value)


# Every indicator of issue 4 → its value for (C0001, C0002, C0003) at school level, worked out by hand
# from the files above (None: no value — a group under the minimum, or no data).
SCHOOL_VALUES = {
    # ОГЭ, first valid attempts. C0001: Русский язык 2,3,4,4,5,2; Математика 3,3,2,4,5,4,3; Обществознание 4,5
    "oge_share_mark_2": (3 / 15 * 100, None, None),
    "oge_share_marks_4_5": (8 / 15 * 100, None, None),
    "oge_rus_share_mark_2": (2 / 6 * 100, None, None),
    "oge_rus_share_marks_4_5": (3 / 6 * 100, None, None),
    "oge_math_share_mark_2": (1 / 7 * 100, None, None),
    "oge_math_share_marks_4_5": (3 / 7 * 100, None, None),
    "oge_average_mark": ((20 + 24 + 9) / 15, None, None),
    # best attempt: P01 Русский язык 2→3; P06 stays 2; P03 Математика 2 → 2 of 15
    "oge_share_mark_2_after_retakes": (2 / 15 * 100, None, None),
    # ЕГЭ: C0001 Русский язык 80,70,20,90,60,55; профильная 76,50,20,92,27; C0003 Русский язык mean 68
    "ege_rus_average_score": (375 / 6, None, 68.0),
    "ege_math_profile_average_score": (265 / 5, None, None),
    # with a minimum score: Русский язык 6 (20 below), профильная 5 (20 below), Обществознание 2 (41 below);
    # C0003: 5 + 3 results, профильная 26 below 27
    "ege_share_below_min": (3 / 13 * 100, None, 1 / 8 * 100),
    # all test scores, Физика too: 15 results, ≥80: 80, 90, 92, 85; ≥90: 90, 92. C0003: none of 8
    "ege_share_80plus": (4 / 15 * 100, None, 0.0),
    "ege_share_90plus": (2 / 15 * 100, None, 0.0),
    "ege_math_base_share_mark_2": (2 / 5 * 100, None, None),
    # самообследование (C0002's later submission)
    "se_1_5_reported": (60.5, 40.0, 50.0),
    "se_1_5_checked": (120 / 200 * 100, 40 / 100 * 100, 25 / 50 * 100),
    "se_1_8_reported": (63.0, None, 69.0),
    "se_1_8_deviation": (63.0 - 375 / 6, None, 69.0 - 68.0),
    "se_1_9_reported": (54.0, None, 40.0),
    "se_1_9_deviation": (54.0 - 265 / 5, None, 40.0 - (40 + 30 + 26) / 3),
    # context
    "ctx_low_income_share": (10.0, 40.0, None),
    "ctx_non_native_share": (5.0, None, 20.0),
    # ВсОШ: C0001 school stage O1..O4 (5 participations), prizes from municipal up: O2 ×2, O1 → 3;
    # regional/final: O2. C0002: O5, O6; prize O5. C0003: nothing (0 of 50 pupils).
    "oly_school_stage_share": (4 / 200 * 100, 2 / 100 * 100, 0.0),
    "oly_school_stage_per_100": (5 / 200 * 100, 2 / 100 * 100, 0.0),
    "oly_prizes_municipal_plus_per_100": (3 / 200 * 100, 1 / 100 * 100, 0.0),
    "oly_regional_final_share": (1 / 200 * 100, 0.0, 0.0),
    "se_1_21_profile_share": (30 / 200 * 100, 0.0, 20 / 50 * 100),
    "se_1_20_in_depth_share": (50 / 200 * 100, 0.0, 0.0),
    # ВПР-8 last year 5,5,4,4,4,3,3,2 (5 of 8 «4»–«5») minus ОГЭ Русский язык + Математика (6 of 13)
    "obj_vpr8_oge_quality_gap": (5 / 8 * 100 - 6 / 13 * 100, None, None),
    # heads: full years on 31.12.2020 since 01.09.2015, 15.03.2018, 01.02.2013
    "head_tenure_years": (5.0, 2.0, 7.0),
    "head_share_tenure_under_3": (0.0, 100.0, 0.0),
    "measures_share_done": (2 / 3 * 100, 0.0, None),
    "measures_share_done_on_time": (2 / 3 * 100, 0.0, None),   # C0002's second measure is not due yet
    # heads.* (C0003: no row, no value)
    "head_share_assessed": (100.0, 0.0, None),
    "head_competence_result": (72.5, None, None),
    "head_cpd_hours_3y": (36.0, 0.0, None),
    "head_reserve_per_100_teachers": (2 / 10 * 100, 0 / 4 * 100, None),
    "head_reserve_trained_share": (1 / 2 * 100, None, None),
    "head_share_schools_trained_reserve": (100.0, 0.0, None),
    # teachers: C0001's 10 (C0002's 4 are under the minimum group of 5; C0003 has none)
    "tch_share_deficit_diagnosed": (6 / 10 * 100, None, None),
    "tch_share_cpd_3y": (7 / 10 * 100, None, None),
    "tch_share_targeted_of_diagnosed": (3 / 6 * 100, None, None),
    "tch_share_experts": (2 / 10 * 100, None, None),
    "tch_share_no_ped_education": (3 / 10 * 100, None, None),
    "tch_share_non_ped_retrained": (1 / 3 * 100, None, None),
    "tch_share_highest_category": (4 / 10 * 100, None, None),
    "tch_share_first_category": (4 / 10 * 100, None, None),
    "tch_share_with_category": (8 / 10 * 100, None, None),
    "tch_share_under_35": (3 / 10 * 100, None, None),
    "tch_share_55plus": (3 / 10 * 100, None, None),
    "tch_share_experience_under_5": (3 / 10 * 100, None, None),
    # conditions
    "cond_pupils_per_teacher": (200 / 10, 100 / 4, None),
    "cond_computers_per_pupil": (0.15, 0.1, 0.2),
    "cond_area_per_pupil": (10.5, 8.0, 20.0),
    "cond_edoc_flow": (100.0, 0.0, 100.0),
    "cond_reading_room": (0.0, 100.0, 100.0),
    "cond_internet_share": (180 / 200 * 100, 60 / 100 * 100, 25 / 50 * 100),
    "cond_disability_share": (2.0, 6.0, 10.0),
}
ORIGINAL = {"vpr_average_mark", "vpr_share_confirmed", "vpr_share_lowered", "vpr_share_mark_2",
            "vpr_share_mark_gap_2plus", "vpr_share_marks_4_5", "vpr_share_raised"}


# Indicators on a region's own described source, checked by hand on the real files in test_moscow_monitoring.py.
ON_REAL_DATA = {"moscow_ege_share_220plus", "moscow_ege_share_160plus", "moscow_ege_graduates"}


def test_every_new_indicator_is_checked_by_hand():
    assert set(SCHOOL_VALUES) == {i.code for i in load_catalog()} - ORIGINAL - ON_REAL_DATA


@pytest.mark.parametrize("code", sorted(SCHOOL_VALUES))
def test_school_values(values, code):
    for school, expected in zip(("C0001", "C0002", "C0003"), SCHOOL_VALUES[code]):
        got = v(values, code, school)
        if expected is None:
            assert got is None, (code, school, got)
        else:
            assert got == pytest.approx(expected), (code, school)


def test_municipality_and_region_are_ratios_of_sums(values):
    # ОГЭ «2»: C0001 3 of 15, C0002 2 of 4 (no school value of its own, but in the sums); C0003 none
    assert v(values, "oge_share_mark_2", "MO41") == pytest.approx(5 / 19 * 100)
    assert v(values, "oge_share_mark_2", "region") == pytest.approx(5 / 19 * 100)
    assert v(values, "oge_share_mark_2", "MO42") is None
    # ЕГЭ Русский язык: (375 + 340) / (6 + 5); below the minimum: C0003 has 26 < 27 in профильная (8 results)
    assert v(values, "ege_rus_average_score", "region") == pytest.approx(715 / 11)
    assert v(values, "ege_share_below_min", "region") == pytest.approx((3 + 1) / (13 + 8) * 100)
    # shares stated in schools.* weigh by pupils: (10 % of 200 + 40 % of 100) / 300; C0003 left it empty
    assert v(values, "ctx_low_income_share", "MO41") == pytest.approx((20 + 40) / 300 * 100)
    assert v(values, "ctx_non_native_share", "region") == pytest.approx((10 + 10) / 250 * 100)
    # the stated 1.5 share against the recomputed one, over all pupils of the region
    assert v(values, "se_1_5_reported", "region") == pytest.approx((121 + 40 + 25) / 350 * 100)
    assert v(values, "se_1_5_checked", "region") == pytest.approx((120 + 40 + 25) / 350 * 100)
    assert v(values, "cond_computers_per_pupil", "region") == pytest.approx((30 + 10 + 10) / 350)
    assert v(values, "oly_prizes_municipal_plus_per_100", "region") == pytest.approx((3 + 1) / 350 * 100)
    # teachers: C0002's 4 count in the sums though it has no value of its own
    assert v(values, "tch_share_deficit_diagnosed", "MO41") == pytest.approx((6 + 2) / 14 * 100)
    assert v(values, "tch_share_targeted_of_diagnosed", "region") == pytest.approx((3 + 1) / (6 + 2) * 100)
    assert v(values, "cond_pupils_per_teacher", "region") == pytest.approx(300 / 14)
    assert v(values, "measures_share_done", "region") == pytest.approx(2 / 5 * 100)
    assert v(values, "measures_share_done_on_time", "region") == pytest.approx(2 / 4 * 100)
    # heads: the reserve against the staff of both schools with a row; the mean result over assessed heads
    assert v(values, "head_reserve_per_100_teachers", "MO41") == pytest.approx((2 + 0) / (10 + 4) * 100)
    assert v(values, "head_competence_result", "region") == pytest.approx(72.5)
    assert v(values, "head_share_assessed", "region") == pytest.approx(1 / 2 * 100)


def test_other_aggregations(values):
    # share of schools: C0001 and C0003 have electronic document flow, C0002 has not
    assert v(values, "cond_edoc_flow", "MO41") == pytest.approx(50.0)
    assert v(values, "cond_edoc_flow", "region") == pytest.approx(2 / 3 * 100)
    assert v(values, "head_share_tenure_under_3", "region") == pytest.approx(1 / 3 * 100)
    # mean of schools: each school that stated a value counts once
    assert v(values, "se_1_8_reported", "region") == pytest.approx((63 + 69) / 2)
    assert v(values, "se_1_9_deviation", "region") == pytest.approx((1 + 8) / 2)
    assert float(values[("region", "region", "se_1_8_reported")]["denominator"]) == 2
    # median of schools: tenure 5 and 2 in MO41, 7 in MO42
    assert v(values, "head_tenure_years", "MO41") == pytest.approx(3.5)
    assert v(values, "head_tenure_years", "MO42") == pytest.approx(7.0)
    assert v(values, "head_tenure_years", "region") == pytest.approx(5.0)
    # difference of ratios: ВПР (5 + 3) of (8 + 3) minus ОГЭ (6 + 1) of (13 + 4)
    row = values[("municipality", "MO41", "obj_vpr8_oge_quality_gap")]
    assert float(row["value"]) == pytest.approx(8 / 11 * 100 - 7 / 17 * 100)
    assert [float(row[k]) for k in ("numerator", "denominator", "numerator_2", "denominator_2")] == [8, 11, 7, 17]


def test_previous_year_and_change(values):
    # a year earlier the heads had served 4, 1 and 6 full years
    row = values[("school", "C0001", "head_tenure_years")]
    assert (float(row["previous_value"]), float(row["change"])) == (4.0, 1.0)
    row = values[("region", "region", "head_tenure_years")]
    assert (float(row["previous_value"]), float(row["change"])) == (4.0, 1.0)
    # no ОГЭ last year: nothing to compare with
    assert values[("school", "C0001", "oge_share_mark_2")]["previous_value"] is None


def test_values_carry_names_and_places(values):
    row = values[("school", "C0002", "cond_edoc_flow")]
    assert (row["municipality_code"], row["unit_name"], row["unit"]) == ("MO41", "Школа 2", "%")
    row = values[("municipality", "MO42", "ctx_non_native_share")]
    assert (row["municipality_code"], row["unit_name"]) == ("MO42", "Район")
    assert values[("region", "region", "ctx_non_native_share")]["unit_name"] == "Регион"


# --- the catalogue ---

def test_catalogue_metadata_is_complete_and_consistent():
    catalog = load_catalog()
    assert len(catalog) >= 40
    names: dict[str, str] = {}
    for ind in catalog:
        folder = PATHS.indicators / ind.code
        assert re.fullmatch(r"[a-z0-9_]+", ind.code), ind.code
        assert (folder / "query.sql").read_text(encoding="utf-8").strip(), ind.code
        assert ind.name_ru and ind.direction_name_ru and ind.source, ind.code
        assert "/" in ind.formula_ru or "×" in ind.formula_ru, ind.code
        assert ind.unit in UNITS and ind.polarity in POLARITIES and ind.aggregation in AGGREGATIONS, ind.code
        assert re.fullmatch(r"\d\.\d", ind.direction_code), ind.code
        assert names.setdefault(ind.direction_code, ind.direction_name_ru) == ind.direction_name_ru, ind.code
        if ind.unit == "%":
            assert ind.scale == 100 or ind.aggregation == "mean_of_schools", ind.code
        assert ind.min_denominator >= 1
        t = ind.thresholds
        assert set(t) <= {"risk_high", "risk_medium"}, ind.code
        if ind.polarity == "neutral":
            assert not t, f"{ind.code}: a context indicator has no risk zone"
        elif len(t) == 2:
            worse = t["risk_high"] >= t["risk_medium"] if ind.polarity == "lower_better" else \
                t["risk_high"] <= t["risk_medium"]
            assert worse, f"{ind.code}: the high-risk threshold must lie beyond the medium one"
        for word in ("select", "from", "where"):
            assert word in ind.query, f"{ind.code}: SQL keywords in lower case"
        assert ":year" in ind.query, ind.code
        if ind.aggregation == "difference_of_ratios":
            assert "numerator_2" in ind.query and "denominator_2" in ind.query, ind.code
    # every direction of issue 4 has indicators
    assert {"1.1", "1.2", "1.3", "1.4", "2.1", "2.2", "2.3", "2.4"} <= set(names)


def test_not_computable_list():
    items = load_not_computable()
    assert len(items) >= 10
    codes = [i["code"] for i in items]
    assert len(codes) == len(set(codes))
    assert not set(codes) & {i.code for i in load_catalog()}
    for item in items:
        assert item["name_ru"] and item["data_needed_ru"]


def test_catalogue_skips_files_and_folders_starting_with_underscore(tmp_path):
    for name in ("a_one", "_draft"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "query.sql").write_text("select school_code, 1 as numerator, 1 as denominator "
                                                   "from core.school where year = :year")
        (tmp_path / name / "metadata.yaml").write_text(
            (PATHS.indicators / "vpr_share_mark_2" / "metadata.yaml").read_text(encoding="utf-8")
            .replace("code: vpr_share_mark_2", f"code: {name}"), encoding="utf-8")
    (tmp_path / "_not_computable.yaml").write_text("[]")
    assert [i.code for i in load_catalog(tmp_path)] == ["a_one"]


def test_data_dictionary_in_docs_is_up_to_date(tmp_path):
    written = write_dictionary(tmp_path)
    assert [p.name for p in written] == [MARKDOWN_FILE, HTML_FILE]
    docs = PATHS.root / "docs"
    for path in written:
        assert (docs / path.name).read_text(encoding="utf-8") == path.read_text(encoding="utf-8"), (
            f"docs/{path.name} is stale: run `edu-quality catalog`")
    md = (tmp_path / MARKDOWN_FILE).read_text(encoding="utf-8")
    for ind in load_catalog():
        assert f"| {ind.code} |" in md
    for item in load_not_computable():
        assert f"| {item['code']} |" in md


# --- the analyst role ---

def test_analyst_role_reads_mart_and_nothing_else(warehouse, values):
    role = f"t_analyst_{uuid.uuid4().hex[:8]}"
    with warehouse.begin() as conn:
        assert conn.execute(text("select not rolcanlogin from pg_roles where rolname = 'edu_analyst'")).scalar_one()
        conn.execute(text(f"create role {role} login in role edu_analyst"))
    url = sqlalchemy_url(warehouse_url()).set(username=role, password=None)
    analyst = create_engine(url)
    try:
        with analyst.connect() as conn:
            assert conn.execute(text("select count(*) from mart.indicator_values where year = :y"),
                                {"y": YEAR}).scalar_one() > 0
            assert conn.execute(text("select count(*) from mart.indicator_catalog")).scalar_one() >= 40
        for forbidden in ("select count(*) from core.school", "select count(*) from meta.schema_migration",
                          "select count(*) from core.indicator_value"):
            with analyst.connect() as conn, pytest.raises(Exception, match="permission denied"):
                conn.execute(text(forbidden))
        with analyst.connect() as conn, pytest.raises(Exception, match="permission denied"):
            conn.execute(text("delete from mart.indicator_catalog"))
    finally:
        analyst.dispose()
        with warehouse.begin() as conn:
            conn.execute(text(f"drop role {role}"))


def test_every_mart_column_of_the_indicator_views_has_a_comment(warehouse):
    with warehouse.connect() as conn:
        missing = conn.execute(text(
            "select c.relname, a.attname from pg_attribute a join pg_class c on c.oid = a.attrelid "
            "where c.relnamespace = 'mart'::regnamespace and c.relname in ('indicator_catalog', 'indicator_values') "
            "and a.attnum > 0 and not a.attisdropped and col_description(c.oid, a.attnum) is null")).all()
    assert missing == []


def test_catalog_command_writes_the_dictionary(tmp_path, capsys):
    from edu_quality.cli import main

    assert main(["catalog", "--out", str(tmp_path)]) == 0
    assert "indicators.md" in capsys.readouterr().out
    html = (tmp_path / HTML_FILE).read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and html.count("<table>") >= 8
