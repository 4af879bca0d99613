"""ГИА: ОГЭ/ГВЭ in grade 9, ЕГЭ in grade 11, with early, reserve and September retakes, the thresholds
file, and the per-school results summary the self-evaluation report restates."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np

from edu_quality.sources import contract as c

from .planted import Plant, PlantedRow, PlantLog, write_rows
from .region import Region, School
from .rng import sigmoid, stream
from .writers import Cell, FileRecord, TextLayout, open_table

H = {col.name: col.header for col in c.GIA.columns}
OGE, EGE, GVE = c.GIA_FORMS
VALID, ANNULLED, RETAKE = c.GIA_STATUSES
BIRTH_DATE = "Дата рождения"        # a personal-data column the ОГЭ file carries (the pipeline drops it)
UNKNOWN_SCHOOL_CODE = "OO9991"      # in no schools.* row
BASIC_MATH = "Математика базовая"
PROFILE_MATH = "Математика профильная"
ANNUL_SHARE = 0.003
RETAKE_GAIN = 0.4                   # a retake goes a little better than the failed attempt
DISCRIMINATION = 0.9                # with the exam offsets: ~6–10% «2» in ОГЭ, ЕГЭ means about 60–70


@dataclass(frozen=True)
class Exam:
    form: str
    subject: str
    max_primary: int
    offset: float                               # subject ease on the ability scale (calibrated)
    month_day: tuple[int, int]                  # main-period date
    boundaries: tuple[int, int, int] | None = None   # primary score for «3», «4», «5»
    min_test: int | None = None                 # ЕГЭ minimum test score
    popularity: float = 0.0                     # weight as an elective

    def marks(self, primary: np.ndarray | int) -> np.ndarray:
        assert self.boundaries is not None
        p = np.asarray(primary)
        return 2 + sum((p >= b).astype(np.int64) for b in self.boundaries)

    @property
    def has_test_score(self) -> bool:
        return self.form == EGE and self.subject != BASIC_MATH

    def test_score(self, primary: np.ndarray) -> np.ndarray:
        # A concave primary → test scale, like the published ЕГЭ conversion tables.
        return np.rint(100 * (primary / self.max_primary) ** 0.75).astype(np.int64)

    def failed(self, primary: int) -> bool:
        if self.has_test_score:
            return int(self.test_score(np.array([primary]))[0]) < (self.min_test or 0)
        return int(self.marks(primary)) == 2


OGE_EXAMS = (
    Exam(OGE, "Русский язык", 33, 1.0, (6, 3), (15, 22, 29)),
    Exam(OGE, "Математика", 31, -0.1, (6, 10), (8, 15, 22)),
    Exam(OGE, "Обществознание", 37, 0.5, (5, 29), (14, 24, 31), popularity=0.55),
    Exam(OGE, "Информатика", 19, -0.05, (6, 6), (5, 11, 17), popularity=0.4),
    Exam(OGE, "География", 31, 0.5, (6, 7), (12, 19, 25), popularity=0.4),
    Exam(OGE, "Биология", 48, 0.0, (5, 21), (13, 26, 37), popularity=0.25),
    Exam(OGE, "Химия", 40, -0.15, (5, 22), (10, 20, 31), popularity=0.1),
    Exam(OGE, "Физика", 45, -0.15, (6, 13), (11, 22, 34), popularity=0.1),
    Exam(OGE, "История", 37, 0.1, (5, 24), (11, 19, 27), popularity=0.05),
    Exam(OGE, "Английский язык", 68, 0.65, (5, 27), (29, 46, 58), popularity=0.1),
    Exam(OGE, "Литература", 37, 0.5, (6, 14), (16, 23, 30), popularity=0.03),
)
GVE_EXAMS = (
    Exam(GVE, "Русский язык", 10, 0.45, (6, 3), (3, 6, 8)),
    Exam(GVE, "Математика", 12, 0.3, (6, 10), (4, 7, 10)),
)
EGE_EXAMS = (
    Exam(EGE, "Русский язык", 50, 0.3, (5, 28), min_test=24),
    Exam(EGE, PROFILE_MATH, 32, -0.9, (5, 31), min_test=27),
    Exam(EGE, BASIC_MATH, 21, 1.05, (5, 31), (7, 12, 17)),
    Exam(EGE, "Обществознание", 58, -0.2, (6, 4), min_test=42, popularity=0.45),
    Exam(EGE, "Физика", 45, -0.2, (6, 5), min_test=36, popularity=0.2),
    Exam(EGE, "История", 42, -0.2, (6, 8), min_test=32, popularity=0.15),
    Exam(EGE, "Биология", 49, -0.2, (6, 7), min_test=36, popularity=0.2),
    Exam(EGE, "Химия", 56, -0.2, (5, 23), min_test=36, popularity=0.15),
    Exam(EGE, "Литература", 42, -0.2, (5, 24), min_test=32, popularity=0.06),
    Exam(EGE, "География", 37, -0.2, (5, 23), min_test=37, popularity=0.04),
    Exam(EGE, "Информатика", 29, -0.2, (6, 11), min_test=40, popularity=0.25),
    Exam(EGE, "Английский язык", 82, -0.2, (6, 10), min_test=22, popularity=0.15),
)
EXAMS = {(e.form, e.subject): e for e in OGE_EXAMS + GVE_EXAMS + EGE_EXAMS}
COMPULSORY_9 = ("Русский язык", "Математика")
# Reserve days in late June, then the September retakes (all still inside the contract's window).
RESERVE_JUNE = {"Русский язык": (6, 24), "Математика": (6, 25), BASIC_MATH: (6, 21)}
RESERVE_JUNE_DEFAULT = (6, 26)
SEPTEMBER = {"Русский язык": (9, 4), "Математика": (9, 12), BASIC_MATH: (9, 9)}
SEPTEMBER_DEFAULT = (9, 16)
EGE_EARLY = {"Русский язык": (3, 26), PROFILE_MATH: (3, 29), BASIC_MATH: (3, 29)}
EGE_IMPROVEMENT = (7, 4)            # one ЕГЭ subject may be retaken to improve the score


@dataclass(frozen=True)
class Result:
    """One row of a ГИА file, before formatting."""
    day: date
    form: str
    subject: str
    school: int           # school index, for the export order
    school_code: str
    code: str
    primary: int
    status: str
    birth: date | None = None

    @property
    def exam(self) -> Exam:
        return EXAMS[(self.form, self.subject)]

    def test(self) -> int | None:
        return int(self.exam.test_score(np.array([self.primary]))[0]) if self.exam.has_test_score else None

    def mark(self) -> int | None:
        return None if self.exam.has_test_score else int(self.exam.marks(self.primary))


@dataclass
class GiaSummary:
    """What a school restates in its self-evaluation (main-period, valid results)."""
    grads9: int = 0
    marks_rus9: list[int] = field(default_factory=list)
    marks_mat9: list[int] = field(default_factory=list)
    fail_rus9: int = 0
    fail_mat9: int = 0
    no_certificate9: int = 0
    honours9: int = 0
    grads11: int = 0
    tests_rus11: list[int] = field(default_factory=list)
    tests_mat11: list[int] = field(default_factory=list)
    below_rus11: int = 0
    below_mat11: int = 0
    no_certificate11: int = 0
    honours11: int = 0


def _score(exam: Exam, theta: float, rng: np.random.Generator) -> int:
    p = float(sigmoid(np.array(DISCRIMINATION * theta + exam.offset + rng.normal(0.0, 0.35))))
    return int(rng.binomial(exam.max_primary, p))


def _electives(pool: tuple[Exam, ...], k: int, rng: np.random.Generator) -> list[Exam]:
    """k electives on different days (a student cannot sit two exams at once)."""
    weights = np.array([e.popularity for e in pool])
    chosen: list[Exam] = []
    for i in rng.choice(len(pool), size=len(pool), replace=False, p=weights / weights.sum()):
        if len(chosen) == k:
            break
        if all(pool[int(i)].month_day != e.month_day for e in chosen):
            chosen.append(pool[int(i)])
    return chosen


def _sit(exam: Exam, school: School, code: str, theta: float, day: date, rng: np.random.Generator,
         out: list[Result], birth: date | None, retakes: bool = True) -> tuple[int, bool]:
    """One exam with its retakes if failed; returns (first primary score, finally failed)."""
    status = ANNULLED if rng.random() < ANNUL_SHARE else VALID
    primary = _score(exam, theta, rng)
    out.append(Result(day, exam.form, exam.subject, school.index, school.code, code, primary, status, birth))
    failed = status == ANNULLED or exam.failed(primary)
    if not (failed and retakes):
        return primary, failed
    year = day.year
    retake_exam = EXAMS[(EGE, BASIC_MATH)] if exam.subject == PROFILE_MATH else exam
    for when in (RESERVE_JUNE.get(retake_exam.subject, RESERVE_JUNE_DEFAULT),
                 SEPTEMBER.get(retake_exam.subject, SEPTEMBER_DEFAULT)):
        again = _score(retake_exam, theta + RETAKE_GAIN, rng)
        out.append(Result(date(year, *when), retake_exam.form, retake_exam.subject, school.index, school.code,
                          code, again, RETAKE, birth))
        if not retake_exam.failed(again):
            return primary, False
    return primary, True


def simulate_school(school: School, year: int, rng: np.random.Generator) -> tuple[list[Result], GiaSummary]:
    results: list[Result] = []
    summary = GiaSummary()
    co9 = school.cohorts.get(9)
    if co9 is not None:
        # Born between September of year−16 and August of year−15.
        start = date(year - 16, 9, 1)
        for code, theta, disabled in zip(co9.codes, co9.ability, co9.disability):
            if rng.random() < 0.01:      # not admitted to the exams
                continue
            birth = start + timedelta(days=int(rng.integers(0, 365)))
            summary.grads9 += 1
            gve = bool(disabled) and rng.random() < 0.7
            exams = list(GVE_EXAMS) if gve else list(OGE_EXAMS[:2]) + _electives(OGE_EXAMS[2:], 2, rng)
            marks: list[int] = []
            no_certificate = False
            for exam in exams:
                primary, failed = _sit(exam, school, code, float(theta), date(year, *exam.month_day), rng,
                                       results, birth)
                mark = int(exam.marks(primary))
                marks.append(mark)
                no_certificate |= failed
                if exam.subject == "Русский язык":
                    summary.fail_rus9 += mark == 2
                    if exam.form == OGE:
                        summary.marks_rus9.append(mark)
                elif exam.subject == "Математика":
                    summary.fail_mat9 += mark == 2
                    if exam.form == OGE:
                        summary.marks_mat9.append(mark)
            summary.no_certificate9 += no_certificate
            summary.honours9 += bool(min(marks) == 5 and theta > 1.0)
    co11 = school.cohorts.get(11)
    if co11 is not None:
        for code, theta in zip(co11.codes, co11.ability):
            if rng.random() < 0.01:
                continue
            summary.grads11 += 1
            profile = theta + rng.normal(0.0, 0.5) > -0.1
            math_exam = EXAMS[(EGE, PROFILE_MATH if profile else BASIC_MATH)]
            k = int(rng.choice([0, 1, 2, 3], p=[0.05, 0.35, 0.45, 0.15]))
            exams = [EXAMS[(EGE, "Русский язык")], math_exam] + _electives(EGE_EXAMS[3:], k, rng)
            no_certificate = False
            for exam in exams:
                md = exam.month_day
                if exam.subject in EGE_EARLY and rng.random() < 0.015:
                    md = EGE_EARLY[exam.subject]
                compulsory = exam.subject in ("Русский язык", PROFILE_MATH, BASIC_MATH)
                primary, failed = _sit(exam, school, code, float(theta), date(year, *md), rng, results, None,
                                       retakes=compulsory)
                if compulsory:
                    no_certificate |= failed
                first_fail = exam.failed(primary)
                if exam.subject == "Русский язык":
                    summary.tests_rus11.append(int(exam.test_score(np.array([primary]))[0]))
                    summary.below_rus11 += first_fail
                elif exam.subject in (PROFILE_MATH, BASIC_MATH):
                    summary.below_mat11 += first_fail
                    if exam.subject == PROFILE_MATH:
                        summary.tests_mat11.append(int(exam.test_score(np.array([primary]))[0]))
            if not no_certificate and rng.random() < 0.03:
                # A good result retaken to improve it: same subject, a July day.
                exam = exams[int(rng.integers(len(exams)))]
                results.append(Result(date(year, *EGE_IMPROVEMENT), EGE, exam.subject, school.index, school.code,
                                      code, _score(exam, float(theta), rng), RETAKE))
            summary.no_certificate11 += no_certificate
            summary.honours11 += bool(theta > 1.3 and not no_certificate and rng.random() < 0.6)
    return results, summary


# --- gia_thresholds.* ---

THRESHOLDS_FILE = "gia_thresholds.csv"
THRESHOLDS_LAYOUT = TextLayout("utf-8-sig", ";", "\r\n")


def write_thresholds(region: Region, root: Path) -> FileRecord:
    header = [col.header for col in c.GIA_THRESHOLDS.columns]
    writer = open_table(root, THRESHOLDS_FILE, "gia_thresholds", header, layout=THRESHOLDS_LAYOUT)
    for exam in EGE_EXAMS + OGE_EXAMS + GVE_EXAMS:
        bounds: tuple[Cell, Cell, Cell] = exam.boundaries or (None, None, None)
        writer.row([region.year, exam.form, exam.subject, exam.min_test, *bounds])
    return writer.close()


# --- gia/*.* ---

OGE_FILE = "gia/oge_{year}.csv"          # ОГЭ and ГВЭ to the end of August
EGE_FILE = "gia/ege_{year}.xlsx"         # ЕГЭ to the end of August
RETAKES_FILE = "gia/retakes_{year}.txt"  # September retakes of every form
OGE_LAYOUT = TextLayout("cp1251", ";", "\r\n", date_style="dmy")
RETAKES_LAYOUT = TextLayout("utf-8", "\t", "\n", date_style="iso")


def _header(birth: bool) -> list[str]:
    head = [H["school_code"], H["participant_code"]]
    if birth:
        head.append(BIRTH_DATE)
    return head + [H["exam_form"], H["subject"], H["exam_date"], H["primary_score"], H["test_score"], H["mark"],
                   H["status"]]


def _row(r: Result, birth: bool) -> list[Cell]:
    row: list[Cell] = [r.school_code, r.code]
    if birth:
        row.append(r.birth)
    return row + [r.form, r.subject, r.day, r.primary, r.test(), r.mark(), r.status]


def _plants(files: dict[str, list[Result]], rng: np.random.Generator,
            codes: Iterator[str]) -> dict[str, dict[int, list[tuple[Result, dict[str, Cell], Plant]]]]:
    """Bad rows derived from good rows: (base row, overrides of the formatted row, plant) per file."""
    out: dict[str, dict[int, list[tuple[Result, dict[str, Cell], Plant]]]] = {k: {} for k in files}

    def pick(key: str, cond) -> int | None:
        candidates = [i for i, r in enumerate(files[key]) if cond(r)]
        return candidates[int(rng.integers(len(candidates)))] if candidates else None

    def add(keys: tuple[str, ...], cond, make) -> None:
        for key in keys:
            i = pick(key, cond)
            if i is not None:
                base = files[key][i]
                new, overrides, plant = make(base)
                out[key].setdefault(i, []).append((new, overrides, plant))
                return

    oge_valid = lambda r: r.form == OGE and r.status == VALID and r.day.month < 9  # noqa: E731
    with_test = lambda r: r.form == EGE and r.exam.has_test_score and r.status == VALID  # noqa: E731
    fresh = lambda r: replace(r, code=next(codes))  # noqa: E731

    add(("oge",), oge_valid, lambda r: (replace(fresh(r), school_code=UNKNOWN_SCHOOL_CODE), {},
                                        Plant(c.UNKNOWN_SCHOOL, H["school_code"], "code missing from schools.*")))

    def duplicate(r: Result):
        primary = r.primary + 1 if r.primary < r.exam.max_primary else r.primary - 1
        return replace(r, primary=primary), {}, Plant(c.DUPLICATE_KEY, H["participant_code"],
                                                      "same participant, exam and day entered twice")
    add(("oge",), oge_valid, duplicate)
    add(("oge",), oge_valid, lambda r: (fresh(r), {H["exam_form"]: "ОГЕ"},
                                        Plant(c.NOT_IN_SET, H["exam_form"], "typo in the exam form")))
    add(("oge",), oge_valid, lambda r: (replace(fresh(r), day=r.day.replace(year=r.day.year - 1)), {},
                                        Plant(c.DATE_OUT_OF_WINDOW, H["exam_date"], "last year's exam date")))
    add(("oge",), oge_valid, lambda r: (fresh(r), {H["test_score"]: round(100 * r.primary / r.exam.max_primary)},
                                        Plant(c.FIELD_NOT_EXPECTED, H["test_score"], "test score on an ОГЭ row")))
    add(("oge",), oge_valid, lambda r: (fresh(r), {H["mark"]: r.mark() + 1 if r.mark() < 5 else r.mark() - 1},
                                        Plant(c.MARK_SCALE_MISMATCH, H["mark"], "mark one step off the boundaries")))
    add(("ege",), with_test, lambda r: (fresh(r), {H["test_score"]: 120},
                                        Plant(c.OUT_OF_RANGE, H["test_score"], "test score over 100")))
    add(("ege",), lambda r: r.subject == PROFILE_MATH and r.status == VALID,
        lambda r: (fresh(r), {H["mark"]: 4}, Plant(c.FIELD_NOT_EXPECTED, H["mark"], "mark on a profile ЕГЭ row")))
    # On a main-period row: a September date is only allowed for a retake, so an empty status there
    # would also put the date out of the window.
    add(("oge",), oge_valid, lambda r: (fresh(r), {H["status"]: None},
                                        Plant(c.REQUIRED_MISSING, H["status"], "empty status")))
    add(("retakes", "ege"), with_test, lambda r: (fresh(r), {H["primary_score"]: "abc"},
                                                  Plant(c.BAD_TYPE, H["primary_score"], "text in an integer column")))
    return out


def _ensure_annulled(rows: list[Result], rng: np.random.Generator) -> None:
    """A few annulled results in every file, even a small region's (an elective, so no retake follows)."""
    if not rows or any(r.status == ANNULLED for r in rows):
        return
    electives = [i for i, r in enumerate(rows) if r.status == VALID and r.subject not in
                 ("Русский язык", "Математика", PROFILE_MATH, BASIC_MATH)]
    pool = electives or [i for i, r in enumerate(rows) if r.status == VALID]
    if pool:
        i = pool[int(rng.integers(len(pool)))]
        rows[i] = replace(rows[i], status=ANNULLED)


def write_gia(region: Region, root: Path, log: PlantLog) -> tuple[list[FileRecord], dict[str, GiaSummary]]:
    results: list[Result] = []
    summaries: dict[str, GiaSummary] = {}
    for s in region.schools:
        rows, summary = simulate_school(s, region.year, stream(region.seed, "gia", region.year, s.code))
        results.extend(rows)
        summaries[s.code] = summary
    order = {f: i for i, f in enumerate(c.GIA_FORMS)}
    results.sort(key=lambda r: (r.day, order[r.form], r.subject, r.school, r.code))
    september = date(region.year, 9, 1)
    files = {
        "oge": [r for r in results if r.form != EGE and r.day < september],
        "ege": [r for r in results if r.form == EGE and r.day < september],
        "retakes": [r for r in results if r.day >= september],
    }
    rng = stream(region.seed, "gia-plants")
    _ensure_annulled(files["oge"], rng)
    _ensure_annulled(files["ege"], rng)
    plants = _plants(files, rng, iter(region.spare["gia"]))

    records = []
    for key, rel, birth in (("oge", OGE_FILE, True), ("ege", EGE_FILE, False), ("retakes", RETAKES_FILE, False)):
        rel = rel.format(year=region.year)
        header = _header(birth)
        ordered: list[PlantedRow] = []
        for i, r in enumerate(files[key]):
            ordered.append((_row(r, birth), None))
            for new, overrides, plant in plants[key].get(i, []):
                row = _row(new, birth)
                for column, value in overrides.items():
                    row[header.index(column)] = value
                ordered.append((row, plant))
        layout = OGE_LAYOUT if key == "oge" else RETAKES_LAYOUT if key == "retakes" else None
        titles = (f"Результаты единого государственного экзамена {region.year} года",
                  "Региональный центр обработки информации: выгрузка по образовательным организациям")
        writer = open_table(root, rel, "gia", header, layout=layout, titles=titles if key == "ege" else (),
                            stamp=datetime(region.year, 7, 20, 10, 0))
        write_rows(writer, header, ordered, log)
        if birth:
            log.personal(writer, BIRTH_DATE)
        writer.note("iso_dates" if key == "retakes" else "excel_dates" if key == "ege" else "dmy_dates")
        records.append(writer.close())
    return records, summaries
