"""ВПР: fixed task structures and scales, participant protocols (one file per subject and grade, as
ФИС ОКО exports them), inflated results in the planted biased schools, and the planted bad rows."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np

from edu_quality.sources import contract as c

from . import names
from .planted import BEYOND_HEADER, Plant, PlantedRow, PlantLog, header_index, write_rows
from .region import BIAS_BOOST, QUARANTINED_SCHOOL_CODE, Region, School
from .rng import sigmoid, stream
from .writers import Cell, FileRecord, TextLayout, open_table

H = {col.name: col.header for col in c.VPR.columns}
FIO = "ФИО"                      # a personal-data column one protocol carries (the pipeline drops it)
UNKNOWN_SCHOOL_CODE = "OO9990"   # in no schools.* row
ATTENDANCE = 0.93                # share of a class that writes a given ВПР
NOT_ATTEMPTED_SHARE = 0.35       # of zero-score tasks, the share left blank (`X`) rather than `0`
DISCRIMINATION = 0.9             # how sharply task success follows ability (calibrated with the offsets)


def _tasks(spec: str) -> tuple[tuple[str, int], ...]:
    return tuple((t.split(":")[0], int(t.split(":")[1])) for t in spec.split())


@dataclass(frozen=True)
class VprTest:
    subject: str
    grade: int
    tasks: tuple[tuple[str, int], ...]
    boundaries: tuple[int, int, int]   # lowest primary score for «3», «4», «5»
    offset: float                      # shifts success on every task: calibrated so ~10% get «2»

    @property
    def max_score(self) -> int:
        return sum(m for _, m in self.tasks)

    @property
    def task_headers(self) -> list[str]:
        return [f"{t} ({m}б)" for t, m in self.tasks]

    @property
    def maxes(self) -> np.ndarray:
        return np.array([m for _, m in self.tasks], dtype=np.int64)

    def marks(self, primary: np.ndarray | int) -> np.ndarray:
        p = np.asarray(primary)
        return 2 + sum((p >= b).astype(np.int64) for b in self.boundaries)

    def difficulties(self) -> np.ndarray:
        # Part of the fixed structure: independent of the generator seed.
        rng = stream(0, "vpr-task-difficulty", self.subject, self.grade)
        ramp = np.linspace(-0.6, 0.9, len(self.tasks))
        return ramp + rng.uniform(-0.8, 0.8, len(self.tasks)) + 0.15 * (self.maxes - 1)


VPR_TESTS: tuple[VprTest, ...] = (
    VprTest("Русский язык", 4, _tasks("1К1:4 1К2:3 2:3 3К1:1 3К2:2 4:2 5:2 6:2 7:2 8:2 9:2 10:1 11:2 "
                                      "12К1:2 12К2:1 13:2 14:2 15:3"), (14, 24, 33), 0.35),
    VprTest("Математика", 4, _tasks("1:1 2:1 3:1 4:1 5:1 6:2 7:1 8:2 9:2 10:1 11:2 12:2 13:1 14:2"),
            (6, 10, 15), 0.35),
    VprTest("Окружающий мир", 4, _tasks("1:2 2:2 3К1:1 3К2:2 3К3:2 4:2 5:2 6К1:2 6К2:2 6К3:2 7:2 8:3 9:3 "
                                        "10К1:1 10К2:2 10К3:2"), (8, 17, 25), -0.15),
    VprTest("Русский язык", 5, _tasks("1К1:4 1К2:3 1К3:2 2К1:3 2К2:3 2К3:3 2К4:3 3:2 4:2 5:2 6:2 7:2 8:2 "
                                      "9:2 10:2 11:2 12:2 13:2 14:2"), (18, 29, 39), 0.65),
    VprTest("Математика", 5, _tasks("1:1 2:1 3:1 4:1 5:1 6:1 7:1 8:2 9:2 10:2 11:1 12:2 13:2 14:2"),
            (7, 11, 16), 0.6),
    VprTest("История", 5, _tasks("1:2 2:1 3:3 4:2 5:1 6:2 7:1 8:3"), (4, 8, 12), 0.3),
    VprTest("Русский язык", 6, _tasks("1К1:4 1К2:3 1К3:2 2К1:3 2К2:3 2К3:3 2К4:3 3:2 4:2 5:3 6:2 7:2 8:2 "
                                      "9:2 10:2 11:2 12:2 13:2 14:2 15:2 16:1 17:2"), (21, 32, 43), 0.75),
    VprTest("Математика", 6, _tasks("1:1 2:1 3:1 4:1 5:1 6:1 7:1 8:1 9:2 10:2 11:1 12:1 13:2 14:2 15:2"),
            (6, 10, 15), 0.4),
    VprTest("Биология", 6, _tasks("1:2 2:2 3:1 4:2 5:2 6К1:1 6К2:2 7:3 8:2 9:3 10К1:2 10К2:2 11:2 12:3"),
            (11, 18, 24), 0.6),
    VprTest("Русский язык", 7, _tasks("1К1:4 1К2:3 1К3:2 2К1:3 2К2:3 2К3:3 2К4:3 3:2 4:2 5:2 6:2 7:2 8:2 "
                                      "9:2 10:2 11:2 12:2 13:2 14:2 15:2"), (19, 29, 40), 0.55),
    VprTest("Математика", 7, _tasks("1:1 2:1 3:1 4:1 5:1 6:1 7:1 8:1 9:1 10:1 11:1 12:2 13:1 14:1 15:2 16:2"),
            (6, 10, 15), 0.45),
    VprTest("Обществознание", 7, _tasks("1:2 2:1 3:1 4:2 5:2 6:2 7:3 8:2 9К1:1 9К2:2 10:2 11:3"),
            (10, 15, 20), 0.85),
    VprTest("Русский язык", 8, _tasks("1К1:4 1К2:3 1К3:2 2К1:3 2К2:3 2К3:3 2К4:3 3:2 4:2 5:2 6:2 7:2 8:2 "
                                      "9:2 10:2 11:2 12:2 13:2 14:2 15К1:1 15К2:2 16:2 17:2"), (21, 33, 44), 0.65),
    VprTest("Математика", 8, _tasks("1:1 2:1 3:1 4:1 5:1 6:1 7:1 8:1 9:1 10:1 11:1 12:2 13:1 14:1 15:2 16:2"),
            (6, 11, 15), 0.15),
    VprTest("Химия", 8, _tasks("1:3 2:2 3:2 4:1 5:2 6:3 7:3 8:2 9:2 10:3 11:3 12:2 13:3 14:2 15К1:1 15К2:2"),
            (9, 18, 27), 0.15),
    VprTest("География", 10, _tasks("1:2 2:1 3:2 4:2 5:1 6:2 7:2 8К1:1 8К2:2 9:2 10:2 11:3"), (8, 13, 18), 0.4),
)

SUBJECT_SLUGS = {"Русский язык": "rus", "Математика": "mat", "Окружающий мир": "okr", "История": "ist",
                 "Биология": "bio", "География": "geo", "Обществознание": "obsh", "Химия": "him"}


@dataclass(frozen=True)
class VprFile:
    test: VprTest
    ext: str                    # csv | txt | xlsx
    layout: TextLayout | None   # None for xlsx
    marker: str                 # how this producer writes a not-attempted task
    fio: bool = False           # carries a personal-data column

    def rel(self, year: int) -> str:
        return f"vpr/vpr_{year}_{self.test.grade}_{SUBJECT_SLUGS[self.test.subject]}.{self.ext}"


_BOM_SEMI = TextLayout("utf-8-sig", ";", "\r\n")
_CP1251_SEMI = TextLayout("cp1251", ";", "\r\n")
_UTF8_COMMA = TextLayout("utf-8", ",", "\n")
_UTF8_TAB = TextLayout("utf-8", "\t", "\n")
_FILE_STYLES: dict[str, tuple[str, TextLayout | None, str]] = {
    "A": ("csv", _BOM_SEMI, "X"),
    "B": ("csv", _CP1251_SEMI, "Х"),   # Cyrillic Х, as a Windows producer types it
    "C": ("csv", _UTF8_COMMA, "X"),
    "D": ("txt", _UTF8_TAB, "Н"),
    "E": ("xlsx", None, "X"),
}
_STYLE_BY_TEST = {("Русский язык", 4): "B", ("Математика", 4): "A", ("Окружающий мир", 4): "C",
                  ("Русский язык", 5): "A", ("Математика", 5): "B", ("История", 5): "D",
                  ("Русский язык", 6): "C", ("Математика", 6): "E", ("Биология", 6): "A",
                  ("Русский язык", 7): "B", ("Математика", 7): "A", ("Обществознание", 7): "C",
                  ("Русский язык", 8): "A", ("Математика", 8): "B", ("Химия", 8): "D",
                  ("География", 10): "A"}
FIO_TEST = ("Русский язык", 5)


def vpr_files() -> list[VprFile]:
    result = []
    for t in VPR_TESTS:
        ext, layout, marker = _FILE_STYLES[_STYLE_BY_TEST[(t.subject, t.grade)]]
        result.append(VprFile(t, ext, layout, marker, fio=(t.subject, t.grade) == FIO_TEST))
    return result


# --- vpr_scales.* ---

SCALES_FILE = "vpr_scales.csv"
SCALES_LAYOUT = TextLayout("utf-8", ",", "\n")


def write_scales(region: Region, root: Path) -> FileRecord:
    header = [col.header for col in c.VPR_SCALES.columns]
    writer = open_table(root, SCALES_FILE, "vpr_scales", header, layout=SCALES_LAYOUT)
    for t in VPR_TESTS:
        writer.row([region.year, t.subject, t.grade, t.max_score, *t.boundaries])
    return writer.close()


# --- Simulation ---

@dataclass
class Block:
    """One school's participants in one test (arrays aligned by participant)."""
    school: School
    labels: list[str]
    codes: list[str]
    variant: np.ndarray
    scores: np.ndarray      # participants × tasks
    blank: np.ndarray       # bool: task left blank (written as the not-attempted marker)
    primary: np.ndarray
    mark: np.ndarray
    journal: np.ndarray     # 0 = empty


def _push_over_boundaries(test: VprTest, scores: np.ndarray, blank: np.ndarray, rng: np.random.Generator) -> None:
    """A biased school's checking: works a few points short of a mark boundary get the missing points,
    so the primary-score histogram peaks just at or above each boundary."""
    maxes = test.maxes
    for r in range(scores.shape[0]):
        p = int(scores[r].sum())
        target = next((b for b in test.boundaries if b - 3 <= p < b), None)
        if target is None or rng.random() > 0.85:
            continue
        if target < test.max_score and rng.random() < 0.25:
            target += 1
        need = target - p
        for j in rng.permutation(len(maxes)):
            if need == 0:
                break
            room = int(maxes[j] - scores[r, j])
            add = min(room, need)
            if add > 0:
                scores[r, j] += add
                blank[r, j] = False
                need -= add


def _journal(mark: np.ndarray, biased: bool, rng: np.random.Generator) -> np.ndarray:
    # Journal marks run above ВПР marks in an ordinary school; in a biased school they agree.
    if biased:
        shift = rng.choice([0, 1, -1], size=len(mark), p=[0.9, 0.08, 0.02])
    else:
        shift = rng.choice([0, 1, -1, 2], size=len(mark), p=[0.55, 0.3, 0.1, 0.05])
    journal = np.clip(mark + shift, 2, 5)
    journal[rng.random(len(mark)) < 0.04] = 0
    return journal


def simulate(test: VprTest, school: School, rng: np.random.Generator, difficulty: np.ndarray) -> Block | None:
    cohort = school.cohorts.get(test.grade)
    if cohort is None or len(cohort) == 0:
        return None
    present = rng.random(len(cohort)) < ATTENDANCE
    if not present.any():
        present[int(rng.integers(len(cohort)))] = True
    idx = np.flatnonzero(present)
    theta = cohort.ability[idx] + (BIAS_BOOST if school.biased else 0.0)
    p = sigmoid(DISCRIMINATION * (theta[:, None] - difficulty[None, :]) + test.offset)
    scores = rng.binomial(test.maxes[None, :], p).astype(np.int64)
    blank = (scores == 0) & (rng.random(scores.shape) < NOT_ATTEMPTED_SHARE)
    if school.biased:
        _push_over_boundaries(test, scores, blank, rng)
    primary = scores.sum(axis=1)
    mark = test.marks(primary)
    return Block(school, [cohort.class_labels[i] for i in idx], [cohort.codes[i] for i in idx],
                 rng.integers(1, 3, size=len(idx)), scores, blank, primary, mark,
                 _journal(mark, school.biased, rng))


# --- Writing, with planted bad rows ---

@dataclass
class _FileData:
    header: list[str]
    rows: list[list[Cell]]
    scores: np.ndarray
    primary: np.ndarray
    mark: np.ndarray


def _header(test: VprTest, fio: bool) -> list[str]:
    head = [H["municipality_label"], H["school_code"], H["school_label"], H["subject"], H["grade"],
            H["class_label"], H["participant_code"]]
    if fio:
        head.append(FIO)
    return head + [H["variant"], *test.task_headers, H["primary_score"], H["mark"], H["journal_mark"]]


def _rows(block: Block, spec: VprFile, rng: np.random.Generator) -> list[list[Cell]]:
    s, t = block.school, spec.test
    cells = block.scores.astype(object)
    cells[block.blank] = spec.marker
    tasks = cells.tolist()
    rows = []
    for i, code in enumerate(block.codes):
        row: list[Cell] = [s.municipality.name, s.code, s.name, t.subject, t.grade, block.labels[i], code]
        if spec.fio:
            row.append(names.full_name(rng, bool(rng.random() < 0.5)))
        journal = int(block.journal[i])
        row += [int(block.variant[i]), *tasks[i], int(block.primary[i]), int(block.mark[i]), journal or None]
        rows.append(row)
    return rows


def _pick(cond: np.ndarray, rng: np.random.Generator) -> int | None:
    candidates = np.flatnonzero(cond)
    return int(candidates[int(rng.integers(len(candidates)))]) if len(candidates) else None


def _plant_in_file(data: _FileData, spec: VprFile, rule_key: str, rng: np.random.Generator,
                   codes: Iterator[str]) -> tuple[int, list[Cell], Plant] | None:
    """A bad row derived from a good row of the file (inserted after it); None if no row qualifies.
    Every derived row except the duplicate gets a fresh participant code, so it breaks one rule only."""
    t, head = spec.test, data.header
    col = {k: header_index(head, H[k]) for k in ("school_code", "school_label", "subject", "class_label",
                                                  "participant_code", "variant", "primary_score", "mark",
                                                  "journal_mark")}
    first_task = header_index(head, t.task_headers[0])
    n = len(data.rows)
    if n == 0:
        return None
    primary, mark = data.primary, data.mark

    def fresh(i: int) -> list[Cell]:
        row = list(data.rows[i])
        row[col["participant_code"]] = next(codes)
        return row

    if rule_key == "unknown_school":
        i = int(rng.integers(n))
        row = fresh(i)
        row[col["school_code"]], row[col["school_label"]] = UNKNOWN_SCHOOL_CODE, 'МБОУ "СОШ № 99"'
        return i, row, Plant(c.UNKNOWN_SCHOOL, H["school_code"], "school code missing from schools.*")
    if rule_key == "school_row_quarantined":
        i = int(rng.integers(n))
        row = fresh(i)
        row[col["school_code"]], row[col["school_label"]] = QUARANTINED_SCHOOL_CODE, 'МКОУ "ООШ"'
        return i, row, Plant(c.SCHOOL_ROW_QUARANTINED, H["school_code"],
                             "the school's own row of schools.* is quarantined")
    if rule_key == "primary_score_mismatch":
        up = (primary + 1 <= t.max_score) & (t.marks(primary + 1) == mark)
        i = _pick(up, rng)
        if i is None:
            return None
        row = fresh(i)
        row[col["primary_score"]] = int(primary[i]) + 1
        return i, row, Plant(c.PRIMARY_SCORE_MISMATCH, H["primary_score"], "sum of tasks + 1; mark still fits")
    if rule_key == "mark_scale_mismatch":
        i = int(rng.integers(n))
        row = fresh(i)
        row[col["mark"]] = int(mark[i]) + 1 if mark[i] < 5 else int(mark[i]) - 1
        return i, row, Plant(c.MARK_SCALE_MISMATCH, H["mark"], "mark one step off the scale; sum correct")
    if rule_key == "task_score_out_of_range":
        # A task at full marks gets max + 1; the primary score and mark follow the new sum.
        full = data.scores == t.maxes[None, :]
        i = _pick(full.any(axis=1) & (primary < t.max_score), rng)
        if i is None:
            return None
        j = int(np.flatnonzero(full[i])[0])
        row = fresh(i)
        row[first_task + j] = int(t.maxes[j]) + 1
        row[col["primary_score"]] = int(primary[i]) + 1
        row[col["mark"]] = int(t.marks(int(primary[i]) + 1))
        return i, row, Plant(c.TASK_SCORE_OUT_OF_RANGE, t.task_headers[j], "task score max + 1; sum and mark follow")
    if rule_key == "class_grade_mismatch":
        i = int(rng.integers(n))
        row = fresh(i)
        label = str(row[col["class_label"]])
        other = t.grade + 1 if t.grade < 11 else t.grade - 1
        row[col["class_label"]] = str(other) + label[len(str(t.grade)):]
        return i, row, Plant(c.CLASS_GRADE_MISMATCH, H["class_label"], "class of another grade")
    if rule_key == "duplicate_key":
        # The same participant entered twice with different scores: the later row is the bad one.
        room = data.scores < t.maxes[None, :]
        i = _pick(room.any(axis=1), rng)
        if i is None:
            return None
        j = int(np.flatnonzero(room[i])[0])
        row = list(data.rows[i])
        row[first_task + j] = int(data.scores[i, j]) + 1
        row[col["primary_score"]] = int(primary[i]) + 1
        row[col["mark"]] = int(t.marks(int(primary[i]) + 1))
        return i, row, Plant(c.DUPLICATE_KEY, H["participant_code"], "participant entered twice")
    if rule_key == "journal_out_of_range":
        i = int(rng.integers(n))
        row = fresh(i)
        row[col["journal_mark"]] = 7
        return i, row, Plant(c.OUT_OF_RANGE, H["journal_mark"], "journal mark 7")
    if rule_key == "variant_out_of_range":
        i = int(rng.integers(n))
        row = fresh(i)
        row[col["variant"]] = 0
        return i, row, Plant(c.OUT_OF_RANGE, H["variant"], "variant 0")
    if rule_key == "bad_type":
        i = int(rng.integers(n))
        row = fresh(i)
        row[col["variant"]] = "abc"
        return i, row, Plant(c.BAD_TYPE, H["variant"], "text in an integer column")
    if rule_key == "required_missing":
        i = int(rng.integers(n))
        row = list(data.rows[i])
        row[col["participant_code"]] = None
        return i, row, Plant(c.REQUIRED_MISSING, H["participant_code"], "empty participant code")
    if rule_key == "no_scale":
        i = int(rng.integers(n))
        row = fresh(i)
        row[col["subject"]] = "Английский язык"
        return i, row, Plant(c.NO_SCALE, H["subject"], "subject with no scale in vpr_scales.*")
    if rule_key == "extra_cells":
        # An operator's note typed into the column after the last one.
        i = int(rng.integers(n))
        row = fresh(i)
        row.append("проверить")
        return i, row, Plant(c.EXTRA_CELLS, BEYOND_HEADER, "a note after the last column")
    raise KeyError(rule_key)


PLANTS = ("unknown_school", "primary_score_mismatch", "mark_scale_mismatch", "task_score_out_of_range",
          "class_grade_mismatch", "duplicate_key", "journal_out_of_range", "variant_out_of_range", "bad_type",
          "required_missing", "no_scale", "extra_cells", "school_row_quarantined")
# Pinned so the workbook and the TAB file carry bad rows too (their row numbering differs from CSV).
PINNED = {"task_score_out_of_range": ("Математика", 6), "mark_scale_mismatch": ("История", 5),
          "extra_cells": ("Математика", 4)}


def _assign_plants(region: Region, files: list[VprFile], rng: np.random.Generator) -> dict[int, list[str]]:
    eligible = [k for k, f in enumerate(files)
                if any(len(s.cohorts.get(f.test.grade, ())) for s in region.schools)]
    plan: dict[int, list[str]] = {}
    for key in PLANTS:
        pinned = PINNED.get(key)
        k = next((k for k in eligible if (files[k].test.subject, files[k].test.grade) == pinned), None)
        if k is None:
            k = eligible[int(rng.integers(len(eligible)))]
        plan.setdefault(k, []).append(key)
    return plan


def write_vpr(region: Region, root: Path, log: PlantLog) -> list[FileRecord]:
    files = vpr_files()
    plan = _assign_plants(region, files, stream(region.seed, "vpr-plan"))
    spare = iter(region.spare["vpr"])
    records = []
    for k, spec in enumerate(files):
        t = spec.test
        rng = stream(region.seed, "vpr", region.year, t.subject, t.grade)
        difficulty = t.difficulties()
        header = _header(t, spec.fio)
        blocks = [b for b in (simulate(t, s, rng, difficulty) for s in region.schools) if b is not None]
        rows = [r for b in blocks for r in _rows(b, spec, rng)]
        if blocks:
            data = _FileData(header, rows, np.concatenate([b.scores for b in blocks]),
                             np.concatenate([b.primary for b in blocks]), np.concatenate([b.mark for b in blocks]))
        else:
            data = _FileData(header, rows, np.zeros((0, len(t.tasks)), np.int64), np.zeros(0, np.int64),
                             np.zeros(0, np.int64))
        inserts: dict[int, list[PlantedRow]] = {}
        for key in plan.get(k, []):
            planted = _plant_in_file(data, spec, key, rng, spare)
            if planted is not None:
                i, row, plant = planted
                inserts.setdefault(i, []).append((row, plant))
        ordered: list[PlantedRow] = []
        for i, row in enumerate(rows):
            ordered.append((row, None))
            ordered.extend(inserts.get(i, []))

        rel = spec.rel(region.year)
        titles = (f"Всероссийские проверочные работы {region.year} года. {t.subject}, {t.grade} класс",
                  "Результаты участников (выгрузка из ФИС ОКО)")
        writer = open_table(root, rel, "vpr", header, layout=spec.layout,
                            titles=titles if spec.ext == "xlsx" else (), stamp=datetime(region.year, 5, 31, 12, 0))
        write_rows(writer, header, ordered, log)
        if spec.fio:
            log.personal(writer, FIO)
        writer.note(f"not_attempted_marker:{spec.marker}")
        records.append(writer.close())
    return records
