"""School heads (heads.*) and the region's motivating monitoring of municipal authorities
(municipal_monitoring.*), both optional sources of the contract.

Weak heads (about 3 % of schools, at least one) are planted: a low competence assessment long ago or none,
almost no ДПО of their own, no management reserve. The monitoring file names a few municipalities clearly the
weakest (as many as the expertise selects by default), so a test can see that the selection follows the file.
"""
from __future__ import annotations

import math
from datetime import date, timedelta
from pathlib import Path

from edu_quality.sources import contract as c

from .planted import Plant, PlantedRow, PlantLog, insert_after, planted_count, write_rows
from .region import Region
from .rng import stream
from .writers import Cell, FileRecord, TextLayout, decimal, dmy, iso, open_table

HEADS_FILE = "heads.csv"
MONITORING_FILE = "municipal_monitoring.csv"
LAYOUT = TextLayout("utf-8-sig", ";", "\r\n")
YES, NO = c.YES_NO
WEAK_HEAD_SHARE = 0.03
UNKNOWN_SCHOOL_CODE = "OO9998"
UNKNOWN_MUNICIPALITY_CODE = "MO99"
# Selected for the expertise by default (include/analysis/settings.yaml: at most 3 and at most 30 %).
WEAK_MUNICIPALITIES_MAX, WEAK_MUNICIPALITIES_SHARE = 3, 0.30
# The motivating monitoring's indicators: code, name, maximum score.
MONITORING_INDICATORS = (
    ("ММ-01", "Наличие и реализация муниципальной программы повышения качества образования", 10),
    ("ММ-02", "Система работы со школами с низкими образовательными результатами", 10),
    ("ММ-03", "Система выявления и поддержки способностей и талантов обучающихся", 8),
    ("ММ-04", "Система работы по профессиональной ориентации обучающихся", 6),
    ("ММ-05", "Обеспечение объективности процедур оценки качества образования", 10),
    ("ММ-06", "Система мониторинга эффективности руководителей ОО", 8),
    ("ММ-07", "Система обеспечения профессионального развития педагогических работников", 8),
)


def _head_row(s, staff: int, weak: bool, year: int, rng) -> list[Cell]:
    tenure = int(rng.integers(0, 25))
    if weak:
        never = bool(rng.random() < 0.5)
        result = None if never else decimal(float(rng.uniform(18, 34)), 1)
        assessed = None if never else date(year - 5, 1, 1) + timedelta(days=int(rng.integers(0, 300)))
        cpd, reserve, trained = int(rng.integers(0, 9)), 0, 0
    else:
        result = decimal(float(rng.uniform(55, 96)), 1)
        assessed = date(year - 1 - int(rng.integers(0, 3)), 3, 1) + timedelta(days=int(rng.integers(0, 270)))
        cpd = int(rng.choice([16, 24, 36, 72, 72, 108, 144]))
        reserve = max(1, int(round(staff * float(rng.uniform(0.04, 0.12)))))
        trained = int(rng.integers(0, reserve + 1))
    when = "" if assessed is None else (iso(assessed) if rng.random() < 0.5 else dmy(assessed))
    return [s.code, tenure, "" if result is None else result, when, cpd, reserve, trained,
            NO if weak else (YES if rng.random() < 0.4 else NO)]


def write_heads(region: Region, root: Path, log: PlantLog, staff: dict) -> tuple[FileRecord, list[str]]:
    """heads.csv and the codes of the planted weak heads' schools."""
    rng = stream(region.seed, "heads")
    schools = list(region.schools)
    # Schools whose only row is a bad one (the key is the school: a bad copy of a good row would repeat it).
    # At most half the schools: a small region keeps good rows to plant among (one bad row per rule when it can).
    spare = {schools[int(i)].code for i in rng.choice(len(schools), size=min(6, len(schools) // 2), replace=False)}
    pool = [s.code for s in schools if s.code not in spare]
    n_weak = min(len(pool), planted_count(len(schools), WEAK_HEAD_SHARE))
    weak = sorted(pool[int(i)] for i in rng.choice(len(pool), size=n_weak, replace=False))
    rows: list[PlantedRow] = []
    spare_rows = []
    for s in schools:
        row = _head_row(s, staff[s.code].total if s.code in staff else 10, s.code in weak, region.year, rng)
        (spare_rows if s.code in spare else rows).append(row)
    header = [col.header for col in c.HEADS.columns]
    bad_specs = ((2, "120", c.OUT_OF_RANGE, "a result over 100 %"),
                 (3, dmy(date(region.year + 10, 3, 1)), c.DATE_IN_FUTURE, "assessment dated ten years ahead"),
                 (6, None, c.OUT_OF_RANGE, "more trained than in the reserve"),
                 (7, "возможно", c.BAD_TYPE, "neither да nor нет"),
                 (4, "", c.REQUIRED_MISSING, "the head's ДПО hours left empty"),
                 (0, UNKNOWN_SCHOOL_CODE, c.UNKNOWN_SCHOOL, "a school not in schools.*"))
    rows_p: list[PlantedRow] = [(r, None) for r in rows]
    additions: list[tuple[int, PlantedRow]] = []
    for (col, value, rule, note), bad in zip(bad_specs, spare_rows):
        bad = list(bad)
        if value is None:
            bad[5], bad[6] = 2, 5
        else:
            bad[col] = value
        additions.append((int(rng.integers(len(rows_p))), (bad, Plant(rule, header[col], note))))
    if rows_p:
        at = int(rng.integers(len(rows_p)))
        repeat = list(rows_p[at][0])
        repeat[4] = int(repeat[4]) + 8
        additions.append((at, (repeat, Plant(c.DUPLICATE_KEY, header[0], "the same school's row again"))))
    insert_after(rows_p, additions)
    writer = open_table(root, HEADS_FILE, "heads", header, layout=LAYOUT)
    write_rows(writer, header, rows_p, log)
    writer.note("iso_dates")
    writer.note("dmy_dates")
    return writer.close(), weak


def weakest_count(municipalities: int) -> int:
    return max(1, min(WEAK_MUNICIPALITIES_MAX, math.floor(WEAK_MUNICIPALITIES_SHARE * municipalities)))


def write_monitoring(region: Region, root: Path, log: PlantLog) -> tuple[FileRecord, list[str]]:
    """municipal_monitoring.csv and the codes of the municipalities it makes the weakest."""
    rng = stream(region.seed, "municipal_monitoring")
    munis = list(region.municipalities)
    k = weakest_count(len(munis)) if len(munis) >= 2 else 0
    weakest = sorted(munis[int(i)].code for i in rng.choice(len(munis), size=k, replace=False))
    rows: list[PlantedRow] = []
    for m in munis:
        low, high = (0.1, 0.35) if m.code in weakest else (0.55, 0.95)
        for code, name, top in MONITORING_INDICATORS:
            value = round(top * float(rng.uniform(low, high)), 1)
            rows.append(([region.year, m.code, code, name, decimal(value, 1), top], None))
    header = [col.header for col in c.MUNICIPAL_MONITORING.columns]
    additions: list[tuple[int, PlantedRow]] = []
    strong = [i for i, (r, _) in enumerate(rows) if r[1] not in weakest]
    specs = ((1, UNKNOWN_MUNICIPALITY_CODE, c.UNKNOWN_MUNICIPALITY, "a municipality not in schools.*"),
             (4, "15", c.OUT_OF_RANGE, "a value over the maximum score"),
             (4, "много", c.BAD_TYPE, "a value in words"),
             (0, region.year - 1, c.OUT_OF_RANGE, "last year's row in this year's file"),
             (2, None, c.DUPLICATE_KEY, "the same municipality and indicator again"))
    for col, value, rule, note in specs:
        at = strong[int(rng.integers(len(strong)))]
        bad = list(rows[at][0])
        if rule == c.DUPLICATE_KEY:
            bad[4] = decimal(0.0, 1, keep_zero=True)
        else:
            bad[col] = value
            if rule != c.UNKNOWN_MUNICIPALITY:
                bad[2] = f"ММ-9{len(additions)}"   # a key of its own: one problem per row
        additions.append((at, (bad, Plant(rule, header[col], note))))
    insert_after(rows, additions)
    writer = open_table(root, MONITORING_FILE, "municipal_monitoring", header, layout=LAYOUT)
    write_rows(writer, header, rows, log)
    writer.note("decimal_comma")
    return writer.close(), weakest
