"""A large inbox for benchmarks: a region (~900 schools, ~1.5 million result rows) or the whole country
(~40,000 schools, ~40 million result rows), written as a stream.

The sample region (`generator.py`) plants every messy variant of the contract into ~300 schools; this
one is about volume. It writes the files the way the federal systems export them (one ВПР file per
subject and grade, ОГЭ in Windows-1251, ЕГЭ in UTF-8), with a small share of bad rows so validation
and quarantine have work to do. Schools are generated in batches and every row is written as soon as
it exists, so memory stays flat whatever the scale.
"""
from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np

from edu_quality.sources import contract as c

from .gia import BASIC_MATH, EGE_EXAMS, EXAMS, GVE_EXAMS, OGE_EXAMS, PROFILE_MATH
from .self_evaluation import INDICATORS
from .vpr import SUBJECT_SLUGS, VPR_TESTS

MANIFEST_NAME = "_scale.json"
BATCH_SCHOOLS = 1000
BAD_ROW_SHARE = 0.0005      # rows with one contract violation each (quarantined, never loaded)
ATTENDANCE = 0.93
SCHOOL_TYPES = ("СОШ", "СОШ", "СОШ", "СОШ с УИОП", "гимназия", "лицей", "ООШ", "НОШ")
OLYMPIAD_SUBJECTS = ("Математика", "Русский язык", "Литература", "Английский язык", "История",
                     "Обществознание", "Биология", "География", "Физика", "Химия", "Информатика")
UNKNOWN_SCHOOL = "ZZ000000"


@dataclass(frozen=True)
class Scale:
    name: str
    schools: int
    municipalities: int
    mean_students: int


SCALES = {
    "small": Scale("small", 40, 4, 400),
    "region": Scale("region", 900, 40, 520),
    "national": Scale("national", 40_000, 2_400, 520),
}


@dataclass
class Schools:
    """The generated schools, as arrays (40,000 rows at most)."""
    code: np.ndarray
    municipality: np.ndarray
    students: np.ndarray
    effect: np.ndarray          # latent quality on the ability scale

    def batches(self):
        for start in range(0, len(self.code), BATCH_SCHOOLS):
            yield slice(start, min(start + BATCH_SCHOOLS, len(self.code)))


class _Writer:
    """Lines of one text file; counts data rows."""

    def __init__(self, path: Path, header: list[str], encoding: str, delimiter: str):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path, self.delimiter, self.rows = path, delimiter, 0
        self.f = path.open("w", encoding=encoding, newline="")
        self.f.write(delimiter.join(header) + "\r\n")

    def columns(self, cols: list) -> None:
        """Write rows given column-wise (each a list or array of strings of equal length)."""
        lists = [col.tolist() if isinstance(col, np.ndarray) else col for col in cols]
        n = len(lists[0])
        if n == 0:
            return
        self.f.write("\r\n".join(map(self.delimiter.join, zip(*lists))) + "\r\n")
        self.rows += n

    def close(self) -> dict:
        self.f.close()
        return {"file": self.path.name, "rows": self.rows, "bytes": self.path.stat().st_size}


def _s(values: np.ndarray) -> np.ndarray:
    return values.astype(str)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _bad(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.random(n) < BAD_ROW_SHARE


def make_schools(scale: Scale, seed: int) -> Schools:
    rng = np.random.default_rng([seed, 1])
    n = scale.schools
    municipality = np.sort(rng.integers(0, scale.municipalities, n))
    students = np.maximum(60, rng.lognormal(np.log(scale.mean_students), 0.45, n)).astype(np.int64)
    mo_effect = rng.normal(0, 0.25, scale.municipalities)
    effect = mo_effect[municipality] + rng.normal(0, 0.35, n)
    code = np.char.add("S", np.char.zfill(_s(np.arange(1, n + 1)), 7))
    return Schools(code, municipality, students, effect)


def write_schools(root: Path, year: int, scale: Scale, schools: Schools, seed: int) -> dict:
    rng = np.random.default_rng([seed, 2])
    n = len(schools.code)
    w = _Writer(root / "schools.csv", [col.header for col in c.SCHOOLS.columns], "utf-8-sig", ";")
    mo = schools.municipality
    appointed = [(date(year - 1, 9, 1) - timedelta(days=int(d))).strftime("%d.%m.%Y")
                 for d in rng.integers(30, 7000, n)]
    pct = lambda lo, hi: [f"{v:.1f}".replace(".", ",") for v in rng.uniform(lo, hi, n)]  # noqa: E731
    w.columns([
        schools.code.tolist(),
        [f"Школа № {i + 1}" for i in range(n)],
        [f"MO{m:04d}" for m in mo],
        [f"Муниципальное образование № {m + 1}" for m in mo],
        [SCHOOL_TYPES[t] for t in rng.integers(0, len(SCHOOL_TYPES), n)],
        ["сельская" if r < 0.35 else "городская" for r in rng.random(n)],
        [f"Руководитель школы № {i + 1}" for i in range(n)],
        appointed, _s(schools.students), pct(2, 30), pct(0, 15), pct(1, 9),
    ])
    return w.close()


def write_vpr(root: Path, year: int, schools: Schools, seed: int,
              progress: Callable[[str], None]) -> list[dict]:
    scales = _Writer(root / "vpr_scales.csv", [col.header for col in c.VPR_SCALES.columns], "utf-8-sig", ";")
    scales.columns([[str(year)] * len(VPR_TESTS), [t.subject for t in VPR_TESTS],
                    [str(t.grade) for t in VPR_TESTS], [str(t.max_score) for t in VPR_TESTS],
                    *[[str(t.boundaries[k]) for t in VPR_TESTS] for k in range(3)]])
    records = [scales.close()]
    h = {col.name: col.header for col in c.VPR.columns}
    serial = 0
    for t_index, test in enumerate(VPR_TESTS):
        header = [h["municipality_label"], h["school_code"], h["school_label"], h["subject"], h["grade"],
                  h["class_label"], h["participant_code"], h["variant"], *test.task_headers,
                  h["primary_score"], h["mark"], h["journal_mark"]]
        w = _Writer(root / "vpr" / f"vpr_{year}_{test.grade}_{SUBJECT_SLUGS[test.subject]}.csv",
                    header, "utf-8", ";")
        maxes, difficulty = test.maxes, test.difficulties()
        for part in schools.batches():
            rng = np.random.default_rng([seed, 10, t_index, part.start])
            per_grade = schools.students[part] / 11
            counts = rng.binomial(np.maximum(per_grade, 1).astype(np.int64), ATTENDANCE)
            school = np.repeat(np.arange(part.start, part.stop), counts)
            n = len(school)
            ability = schools.effect[school] + rng.normal(0, 1, n)
            p = _sigmoid(0.9 * (ability[:, None] + test.offset - difficulty[None, :]))
            tasks = rng.binomial(maxes[None, :], p)
            primary = tasks.sum(axis=1)
            mark = test.marks(primary)
            journal = np.clip(mark + np.rint(rng.normal(0.15, 0.55, n)).astype(np.int64), 2, 5)
            within = np.arange(n) - np.repeat(np.cumsum(counts) - counts, counts)
            letters = np.array(list("АБВГД"))[np.minimum(within // 26, 4)]
            task_text = _s(tasks)
            blank = (tasks == 0) & (rng.random(tasks.shape) < 0.3)
            task_text[blank] = "X"
            journal_text = _s(journal)
            journal_text[rng.random(n) < 0.03] = ""
            codes = _s(schools.code[school])
            bad = _bad(rng, n)
            if bad.any():  # a task above its maximum: the whole row is quarantined
                task_text[bad, 0] = str(maxes[0] + 1)
            serial_codes = np.char.add("P", _s(np.arange(serial, serial + n)))
            serial += n
            mo = schools.municipality[school]
            w.columns([np.char.add("МО ", _s(mo)), codes, np.char.add("Школа ", codes), [test.subject] * n,
                       [str(test.grade)] * n, np.char.add(str(test.grade), letters), serial_codes,
                       _s(1 + (within % 2)), *task_text.T, _s(primary), _s(mark), journal_text])
        records.append(w.close())
        progress(f"ВПР {test.subject} {test.grade}: {w.rows} строк")
    return records


def _exam_day(year: int, exam) -> str:
    month, day = exam.month_day
    return f"{day:02d}.{month:02d}.{year}"


def write_gia(root: Path, year: int, schools: Schools, seed: int,
              progress: Callable[[str], None]) -> list[dict]:
    th = _Writer(root / "gia_thresholds.csv", [col.header for col in c.GIA_THRESHOLDS.columns], "utf-8-sig", ";")
    exams = EGE_EXAMS + OGE_EXAMS + GVE_EXAMS
    th.columns([[str(year)] * len(exams), [e.form for e in exams], [e.subject for e in exams],
                ["" if e.min_test is None else str(e.min_test) for e in exams],
                *[["" if e.boundaries is None else str(e.boundaries[k]) for e in exams] for k in range(3)]])
    records = [th.close()]
    header = [col.header for col in c.GIA.columns]
    for form, grade, pool, compulsory, encoding, name in (
            ("ОГЭ", 9, OGE_EXAMS, ("Русский язык", "Математика"), "cp1251", "oge"),
            ("ЕГЭ", 11, EGE_EXAMS, ("Русский язык",), "utf-8", "ege")):
        w = _Writer(root / "gia" / f"{name}_{year}.csv", header, encoding, ";")
        electives = [e for e in pool if e.popularity > 0]
        weights = np.array([e.popularity for e in electives])
        serial = 0
        for part in schools.batches():
            rng = np.random.default_rng([seed, 20, grade, part.start])
            per_grade = schools.students[part] / (11 if grade == 9 else 14)
            counts = rng.binomial(np.maximum(per_grade, 1).astype(np.int64), 0.97)
            school = np.repeat(np.arange(part.start, part.stop), counts)
            n = len(school)
            ability = schools.effect[school] + rng.normal(0, 1, n)
            participant = np.char.add(f"{name.upper()}", _s(np.arange(serial, serial + n)))
            serial += n
            sittings: list[tuple[object, np.ndarray]] = [(EXAMS[(form, s)], np.arange(n)) for s in compulsory]
            if form == "ЕГЭ":
                profile = rng.random(n) < 0.45
                sittings += [(EXAMS[(form, PROFILE_MATH)], np.flatnonzero(profile)),
                             (EXAMS[(form, BASIC_MATH)], np.flatnonzero(~profile))]
            k = 2 if form == "ОГЭ" else 1
            for e_index, exam in enumerate(electives):
                takes = rng.random(n) < min(0.95, k * weights[e_index] / weights.sum() * 1.6)
                sittings.append((exam, np.flatnonzero(takes)))
            for exam, who in sittings:
                m = len(who)
                if m == 0:
                    continue
                p = _sigmoid(0.9 * (ability[who] + exam.offset))
                primary = rng.binomial(exam.max_primary, p)
                codes = _s(schools.code[school[who]])
                if exam.has_test_score:
                    test_text, mark_text = _s(exam.test_score(primary)), np.full(m, "")
                else:
                    test_text, mark_text = np.full(m, ""), _s(exam.marks(primary))
                primary_text = _s(primary)
                bad = _bad(rng, m)
                if bad.any():  # a negative primary score
                    primary_text[bad] = "-1"
                w.columns([codes, participant[who], [form] * m, [exam.subject] * m,
                           [_exam_day(year, exam)] * m, primary_text, test_text, mark_text,
                           ["действителен"] * m])
        records.append(w.close())
        progress(f"{form}: {w.rows} строк")
    return records


def write_teachers(root: Path, year: int, schools: Schools, seed: int) -> dict:
    w = _Writer(root / "teachers.csv", [col.header for col in c.TEACHERS.columns], "utf-8-sig", ";")
    categories = np.array(["высшая", "первая", "без категории"])
    yes_no = np.array(["нет", "да"])
    serial = 0
    for part in schools.batches():
        rng = np.random.default_rng([seed, 30, part.start])
        counts = np.maximum(3, schools.students[part] // 13)
        school = np.repeat(np.arange(part.start, part.stop), counts)
        n = len(school)
        age = rng.integers(23, 66, n)
        experience = np.minimum(age - 22, rng.integers(0, 40, n))
        w.columns([_s(schools.code[school]), np.char.add("T", _s(np.arange(serial, serial + n))),
                   ["учитель"] * n, categories[rng.integers(0, 3, n)], _s(experience), _s(age),
                   yes_no[(rng.random(n) < 0.4).astype(int)], _s(rng.integers(0, 160, n)),
                   yes_no[(rng.random(n) < 0.2).astype(int)], yes_no[(rng.random(n) < 0.1).astype(int)],
                   yes_no[(rng.random(n) < 0.9).astype(int)]])
        serial += n
    return w.close()


def write_olympiads(root: Path, year: int, schools: Schools, seed: int) -> dict:
    w = _Writer(root / "olympiads.csv", [col.header for col in c.OLYMPIADS.columns], "utf-8-sig", ";")
    subjects = np.array(OLYMPIAD_SUBJECTS)
    serial = 0
    for part in schools.batches():
        rng = np.random.default_rng([seed, 40, part.start])
        counts = rng.binomial(schools.students[part], 0.45)
        school = np.repeat(np.arange(part.start, part.stop), counts)
        n = len(school)
        score = schools.effect[school] + rng.normal(0, 1, n)
        status = np.where(score > 2.2, "победитель", np.where(score > 1.4, "призёр", "участник"))
        stage = np.where(score > 1.9, "муниципальный", "школьный")
        # A participant writes one subject per row; codes are unique per (stage, subject).
        w.columns([[str(year)] * n, stage, subjects[rng.integers(0, len(subjects), n)],
                   _s(schools.code[school]), np.char.add("O", _s(np.arange(serial, serial + n))),
                   _s(rng.integers(4, 12, n)), status])
        serial += n
    return w.close()


def write_self_evaluation(root: Path, year: int, schools: Schools, seed: int) -> dict:
    rng = np.random.default_rng([seed, 50])
    header = ["Отметка времени", "Код ОО"] + [f"{code} {text}" for code, text, _ in INDICATORS]
    w = _Writer(root / "self_evaluation.csv", header, "utf-8", ";")
    n = len(schools.code)
    students = schools.students
    staff = np.maximum(3, students // 13)
    at = datetime(year + 1, 1, 10, 9, 0)
    cols: list[list[str]] = [[(at + timedelta(minutes=int(m))).strftime("%d.%m.%Y %H:%M:%S")
                              for m in rng.integers(0, 20000, n)], schools.code.tolist()]
    for code, _, kind in INDICATORS:
        if code == "1.1":
            cols.append(_s(students).tolist())
        elif code == "1.24" or kind == "count":
            cols.append(_s(staff if code == "1.24" else rng.integers(0, 200, n)).tolist())
        elif kind.startswith("pair:"):
            base = {"students": students, "staff": staff}.get(kind.split(":")[1], students // 10 + 1)
            count = rng.binomial(base, rng.uniform(0.05, 0.6, n))
            share = np.round(100 * count / base, 1)
            cols.append([f"{k} человек / {s:.1f} %".replace(".", ",") for k, s in zip(count, share)])
        elif kind == "yes_no":
            cols.append(["да" if r < 0.8 else "нет" for r in rng.random(n)])
        else:  # averages and per-pupil values
            cols.append([f"{v:.2f}".replace(".", ",") for v in rng.uniform(0.1, 4.5, n)])
    w.columns(cols)
    return w.close()


def generate_scaled(year: int, out_dir: str | Path, scale: str = "region", seed: int = 7,
                    progress: Callable[[str], None] = print) -> dict:
    """Write `<out_dir>/<year>/` for a scale; returns (and stores) what was written."""
    spec = SCALES[scale]
    root = Path(out_dir) / str(year)
    if root.exists() and any(root.iterdir()) and not (root / MANIFEST_NAME).exists():
        raise FileExistsError(f"{root} holds files that are not a generated inbox; refusing to overwrite")
    started = time.perf_counter()
    schools = make_schools(spec, seed)
    files = [write_schools(root, year, spec, schools, seed)]
    files += write_vpr(root, year, schools, seed, progress)
    files += write_gia(root, year, schools, seed, progress)
    files += [write_teachers(root, year, schools, seed), write_olympiads(root, year, schools, seed),
              write_self_evaluation(root, year, schools, seed)]
    manifest = {"year": year, "scale": spec.name, "seed": seed, "schools": spec.schools,
                "municipalities": spec.municipalities, "files": files,
                "rows": sum(f["rows"] for f in files), "bytes": sum(f["bytes"] for f in files),
                "seconds": round(time.perf_counter() - started, 1)}
    (root / MANIFEST_NAME).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    progress(f"Записано {manifest['rows']:,} строк в {len(files)} файлов за {manifest['seconds']} с".replace(",", " "))
    return manifest
