"""Management measures taken in <year> on the recommendations of <year>−1, at school (ОО) and
municipality (МО) level."""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from edu_quality.sources import contract as c

from .planted import Plant, PlantedRow, PlantLog, insert_after, write_rows
from .region import Region
from .rng import stream
from .writers import Cell, FileRecord, TextLayout, dmy, iso, open_table

MEASURES_FILE = "measures.csv"
MEASURES_LAYOUT = TextLayout("utf-8-sig", ";", "\r\n")
SCHOOL_LEVEL, MUNICIPAL_LEVEL = c.MEASURE_LEVELS
YES, NO = c.YES_NO

# Recommendation code → (level, measures one can take on it)
RECOMMENDATIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "R-OBJ-01": (SCHOOL_LEVEL, ("Организовано независимое общественное наблюдение при проведении ВПР",
                                "Проведена перепроверка работ ВПР муниципальной предметной комиссией",
                                "Проведён педагогический совет по объективности оценивания")),
    "R-OBJ-02": (MUNICIPAL_LEVEL, ("Организована перекрёстная проверка работ ВПР между школами",
                                   "Направлены муниципальные наблюдатели в ОО с признаками необъективности")),
    "R-LOW-01": (SCHOOL_LEVEL, ("Разработана и утверждена программа повышения качества образования",
                                "Заключён договор о сетевом партнёрстве со школой-наставником",
                                "Организованы дополнительные занятия по русскому языку и математике")),
    "R-LOW-02": (MUNICIPAL_LEVEL, ("Проведён муниципальный семинар для ОО с низкими результатами",
                                   "Закреплены кураторы из муниципальной методической службы")),
    "R-STAFF-01": (SCHOOL_LEVEL, ("Педагоги направлены на ДПО по адресной программе",
                                  "Проведена диагностика профессиональных дефицитов педагогов",
                                  "Закреплены наставники за молодыми педагогами")),
    "R-STAFF-02": (MUNICIPAL_LEVEL, ("Сформирован муниципальный резерв наставников",
                                     "Организованы стажировочные площадки на базе гимназий")),
    "R-SOC-01": (SCHOOL_LEVEL, ("Организованы занятия для обучающихся с трудностями в обучении",
                                "Организована работа с семьями обучающихся, находящихся в трудной ситуации")),
}
RESPONSIBLE = {SCHOOL_LEVEL: ("Директор ОО", "Заместитель директора по УВР"),
               MUNICIPAL_LEVEL: ("Начальник управления образования", "Муниципальная методическая служба")}


def write_measures(region: Region, root: Path, log: PlantLog) -> FileRecord:
    rng = stream(region.seed, "measures")
    year = region.year
    targets: list[tuple[str, str]] = []    # (unit code, recommendation code)
    for s in region.schools:
        # Last year's flags mostly persist: this year's planted schools had last year's recommendations.
        if s.biased or rng.random() < 0.03:
            targets.append((s.code, "R-OBJ-01"))
        if s.low_result or rng.random() < 0.05:
            targets.append((s.code, "R-LOW-01"))
        if s.unfavorable:
            targets.append((s.code, "R-SOC-01"))
        if rng.random() < 0.1:
            targets.append((s.code, "R-STAFF-01"))
    for m in region.municipalities:
        biased_here = any(s.biased for s in region.schools if s.municipality is m)
        for rec in ("R-OBJ-02", "R-LOW-02", "R-STAFF-02"):
            if (rec == "R-OBJ-02" and biased_here) or rng.random() < 0.4:
                targets.append((m.code, rec))

    rows: list[PlantedRow] = []
    for unit, rec in targets:
        level, options = RECOMMENDATIONS[rec]
        for k in rng.choice(len(options), size=int(rng.integers(1, 3)), replace=False):
            due = date(year, 3, 1) + timedelta(days=int(rng.integers(0, 290)))
            due_text = iso(due) if rng.random() < 0.6 else dmy(due)
            done = YES if rng.random() < 0.8 else NO
            responsible = RESPONSIBLE[level][int(rng.integers(2))]
            row: list[Cell] = [year, level, unit, rec, options[int(k)], responsible, due_text, done]
            rows.append((row, None))
    if rows:
        additions: list[tuple[int, PlantedRow]] = []
        for col, value, rule, note in ((1, "район", c.NOT_IN_SET, "level outside ОО/МО"),
                                       (6, "в течение года", c.BAD_TYPE, "a due date in words")):
            at = int(rng.integers(len(rows)))
            bad = list(rows[at][0])
            bad[col] = value
            additions.append((at, (bad, Plant(rule, c.MEASURES.columns[col].header, note))))
        insert_after(rows, additions)
    header = [col.header for col in c.MEASURES.columns]
    writer = open_table(root, MEASURES_FILE, "measures", header, layout=MEASURES_LAYOUT)
    write_rows(writer, header, rows, log)
    writer.note("iso_dates")
    writer.note("dmy_dates")
    return writer.close()
