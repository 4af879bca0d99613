"""Teaching staff (teachers.*): one row per teacher, and the per-school staff counts the
self-evaluation report restates (1.24–1.34)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from edu_quality.sources import contract as c

from .planted import Plant, PlantedRow, PlantLog, insert_after, write_rows
from .region import Region, School
from .rng import stream
from .writers import Cell, FileRecord, TextLayout, open_table

TEACHERS_FILE = "teachers.csv"
TEACHERS_LAYOUT = TextLayout("utf-8", ";", "\r\n", trailing_delimiter=True)
YES, NO = c.YES_NO
HIGHEST, FIRST, NONE = c.QUALIFICATION_CATEGORIES
POSITIONS = ("учитель", "педагог-психолог", "социальный педагог", "учитель-логопед",
             "педагог дополнительного образования", "педагог-организатор", "тьютор", "учитель-дефектолог")
POSITION_WEIGHTS = (0.6, 0.05, 0.03, 0.03, 0.04, 0.02, 0.02, 0.01)
CPD_COURSES = (16, 18, 24, 36, 36, 48, 72, 72, 108, 144)   # typical course lengths, hours


def _header() -> list[str]:
    # This producer's form says `Прошел` (е for ё): header matching must not care.
    return [col.header.replace("Прошёл", "Прошел") for col in c.TEACHERS.columns]


@dataclass
class Teacher:
    position: str
    category: str
    experience: int
    age: int
    diagnosed: bool
    cpd_hours: int
    targeted: bool
    expert: bool
    pedagogical: bool
    higher_education: bool   # not in teachers.*; restated in the self-evaluation


@dataclass
class StaffSummary:
    total: int = 0
    higher: int = 0
    higher_ped: int = 0
    vocational: int = 0
    vocational_ped: int = 0
    highest: int = 0
    first: int = 0
    experience_under5: int = 0
    experience_over30: int = 0
    age_under30: int = 0
    age_55plus: int = 0
    cpd_5y: int = 0
    cpd_fgos: int = 0


def _count(school: School, rng: np.random.Generator) -> int:
    if school.school_type == "НОШ":
        return int(rng.integers(3, 6))
    if school.urban:
        return max(8, int(round(school.students / rng.uniform(13, 17))))
    return max(5, int(round(school.students / rng.uniform(5, 8))))


def _teacher(school: School, rng: np.random.Generator) -> Teacher:
    age = int(np.clip(rng.normal(47, 11), 22, 72))
    experience = int(np.clip(age - 22 - rng.integers(0, 8), 0, age - 20))
    position = POSITIONS[int(rng.choice(len(POSITIONS), p=np.array(POSITION_WEIGHTS) / sum(POSITION_WEIGHTS)))]
    if position == "учитель" and school.first_grade <= 4 and rng.random() < 0.25:
        position = "учитель начальных классов"
    if experience < 2:
        category = NONE
    else:
        strength = 0.15 * school.ability + 0.01 * min(experience, 30)
        category = str(rng.choice([HIGHEST, FIRST, NONE], p=_probs(0.15 + strength, 0.35)))
    diagnosed = bool(rng.random() < 0.45)
    targeted = diagnosed and bool(rng.random() < (0.7 if school.low_result else 0.4))
    courses = int(rng.choice([0, 1, 2, 3], p=[0.12, 0.4, 0.33, 0.15]))
    cpd = int(sum(CPD_COURSES[int(i)] for i in rng.integers(0, len(CPD_COURSES), size=courses)))
    if targeted and cpd == 0:
        cpd = 36
    expert = bool(rng.random() < 0.05 + 0.08 * max(0.0, school.ability))
    pedagogical = bool(rng.random() < 0.88)
    higher = bool(rng.random() < (0.9 if school.urban else 0.78))
    return Teacher(position, category, experience, age, diagnosed, cpd, targeted, expert, pedagogical, higher)


def _probs(highest: float, first: float) -> np.ndarray:
    highest = float(np.clip(highest, 0.02, 0.6))
    return np.array([highest, first, 1.0 - highest - first])


def _summarise(teachers: list[Teacher], rng: np.random.Generator) -> StaffSummary:
    s = StaffSummary(total=len(teachers))
    for t in teachers:
        s.higher += t.higher_education
        s.higher_ped += t.higher_education and t.pedagogical
        s.vocational += not t.higher_education
        s.vocational_ped += (not t.higher_education) and t.pedagogical
        s.highest += t.category == HIGHEST
        s.first += t.category == FIRST
        s.experience_under5 += t.experience < 5
        s.experience_over30 += t.experience > 30
        s.age_under30 += t.age < 30
        s.age_55plus += t.age >= 55
        trained = t.cpd_hours > 0 or bool(rng.random() < 0.5)   # the form asks about five years, the file three
        s.cpd_5y += trained
        s.cpd_fgos += trained and bool(rng.random() < 0.8)
    return s


def write_teachers(region: Region, root: Path, log: PlantLog) -> tuple[FileRecord, dict[str, StaffSummary]]:
    rng = stream(region.seed, "teachers")
    staff = {s.code: [_teacher(s, rng) for _ in range(_count(s, rng))] for s in region.schools}
    total = sum(len(v) for v in staff.values())
    numbers = rng.choice(900_000, size=total + 8, replace=False) + 100_000
    codes = [f"T{int(n)}" for n in numbers]
    header = _header()
    rows: list[PlantedRow] = []
    summaries: dict[str, StaffSummary] = {}
    k = 0
    for s in region.schools:
        for t in staff[s.code]:
            row: list[Cell] = [s.code, codes[k], t.position, t.category, t.experience, t.age,
                               YES if t.diagnosed else NO, t.cpd_hours, YES if t.targeted else NO,
                               YES if t.expert else NO, YES if t.pedagogical else NO]
            rows.append((row, None))
            k += 1
        summaries[s.code] = _summarise(staff[s.code], rng)
    # Extra broken copies of real teachers under fresh codes.
    additions: list[tuple[int, PlantedRow]] = []
    for col, value, rule, note in ((5, "abc", c.BAD_TYPE, "text in an integer column"),
                                   (3, "вторая", c.NOT_IN_SET, "category abolished long ago")):
        at = int(rng.integers(len(rows)))
        bad = list(rows[at][0])
        bad[1] = codes[k]
        k += 1
        bad[col] = value
        additions.append((at, (bad, Plant(rule, c.TEACHERS.columns[col].header, note))))
    insert_after(rows, additions)
    writer = open_table(root, TEACHERS_FILE, "teachers", header, layout=TEACHERS_LAYOUT)
    write_rows(writer, header, rows, log)
    writer.note("header_variants")
    return writer.close(), summaries
