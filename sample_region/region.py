"""The sample region: municipalities, schools, their social context and simulated students.

Every result the other modules simulate starts from a school's latent level:
    ability = base + school effect + school-type effect − social-context effect (poverty, non-native
              share, rural location) − planted low-result deficit,
and a student's ability adds class and personal noise to it. A school's latent level does not depend on
the year, so its standing carries over from year to year, as a real school's does.

Students move up a grade each year: the students of a grade are drawn from the cohort's own stream (the
school, the year the cohort would have been in grade 0, the class), so grade 8 of one year is, student for
student, grade 9 of the next (with the class size of the new grade: the first students stay, some leave
or join). ВПР 8 of last year and ОГЭ of this year are then the same students, as the analysis expects.

Low-result schools (the regulation's low-result school: the bottom tail of the region across procedures
and years) are the region's bottom tenth: some ordinary schools given a deficit, and the schools already
lowest. Every one of them is put at least LOW_RESULT_MARGIN below every other school with results, so they
are the region's bottom in the data too, not only lower than they would be.

`students_per_class` only sets how many simulated students a class has; the school's nominal size
(schools.*, self-evaluation) stays realistic.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from edu_quality.sources import contract as c

from . import names
from .planted import (
    LOW_RESULT_SHARE,
    Plant,
    PlantedRow,
    PlantedSchools,
    PlantLog,
    choose_planted_schools,
    planted_count,
    write_rows,
)
from .rng import stream
from .writers import NBSP, FileRecord, TextLayout, decimal, dmy, iso, open_table, thousands

QUARANTINED_SCHOOL_CODE = "OO-9901"  # a schools.* row with a malformed code: quarantined; a ВПР row points at it
BIAS_BOOST = 0.55                # ability boost of a biased school in ВПР only (not in ОГЭ)
CLASS_LETTERS = "АБВГДЕ"
SIM_GRADES = tuple(range(4, 12))    # grades with simulated students (ВПР, ГИА, olympiads)
NOMINAL_CLASS = 25                  # the class size `students_per_class` is relative to
SPARE_CODES_PER_SOURCE = 100        # participant codes kept for planted extra rows
SPARE_SOURCES = ("vpr", "gia", "olympiads")

# (first grade, last grade) a school type teaches
GRADE_SPAN = {"НОШ": (1, 4), "ООШ": (1, 9), "СОШ": (1, 11), "СОШ с УИОП": (1, 11), "гимназия": (1, 11),
              "лицей": (1, 11), "ЦО": (1, 11), "кадетская школа": (5, 11), "вечерняя школа": (9, 11),
              "школа-интернат": (1, 9)}
# Ability shift by school type (selective schools higher, evening and boarding schools lower)
TYPE_EFFECT = {"гимназия": 0.45, "лицей": 0.55, "СОШ с УИОП": 0.3, "ЦО": 0.05, "кадетская школа": 0.1,
               "СОШ": 0.0, "ООШ": -0.15, "НОШ": -0.05, "школа-интернат": -0.6, "вечерняя школа": -0.9}
# The order special types appear in a city: the first few cover the rare types even in a small city.
CITY_SPECIAL_TYPES = ("гимназия", "вечерняя школа", "лицей", "СОШ с УИОП", "кадетская школа", "ЦО")
CITY_SPECIAL_CYCLE = ("гимназия", "лицей", "СОШ с УИОП")
RURAL_TYPE_CYCLE = ("СОШ", "ООШ", "СОШ", "НОШ", "СОШ", "ООШ", "СОШ", "СОШ", "ООШ", "СОШ")
# A school chosen for a deficit loses LOW_RESULT_PENALTY of its own level; every school of the low-result
# tail then sits LOW_RESULT_MARGIN plus up to LOW_RESULT_SPREAD below the lowest school outside it (the
# margin is about twice the sampling error of a school's mean level, so the tail stays the tail in the data).
LOW_RESULT_PENALTY = 0.8
LOW_RESULT_MARGIN = 0.3
LOW_RESULT_SPREAD = 0.3
# Planted result stories go to schools big enough for them to show through a few students' noise.
BIASED_MIN_STUDENTS = 250
LOW_RESULT_MIN_STUDENTS = 120
BASE_ABILITY = 0.35
STUDENT_SD = 0.8
CLASS_SD = 0.15


@dataclass(frozen=True)
class Municipality:
    index: int
    code: str
    name: str
    kind: str  # city | town | district


@dataclass
class Cohort:
    """Simulated students of one grade of one school (arrays aligned by student)."""
    grade: int
    class_labels: list[str]
    codes: list[str]
    ability: np.ndarray
    disability: np.ndarray  # bool: ОВЗ (takes ГВЭ instead of ОГЭ)

    def __len__(self) -> int:
        return len(self.class_labels)


@dataclass
class School:
    index: int
    code: str
    name: str
    municipality: Municipality
    school_type: str
    urban: bool
    first_grade: int
    last_grade: int
    classes: dict[int, int] = field(default_factory=dict)       # nominal classes per grade
    class_size: dict[int, int] = field(default_factory=dict)    # nominal students per class
    students: int = 0
    low_income_pct: float = 0.0
    non_native_pct: float = 0.0
    disability_pct: float = 0.0
    head_name: str = ""
    head_appointed: date = date(2000, 1, 1)
    effect: float = 0.0
    context_effect: float = 0.0           # what the social context and rural location take off
    low_result_penalty: float = 0.0       # the planted deficit (0 outside the low-result tail)
    ability: float = 0.0
    spaced_class_label: bool = False      # writes `5 А` rather than `5А`
    biased: bool = False
    low_result: bool = False
    unfavorable: bool = False
    cohorts: dict[int, Cohort] = field(default_factory=dict)

    @property
    def locality(self) -> str:
        return c.LOCALITIES[0] if self.urban else c.LOCALITIES[1]

    def has_grade(self, grade: int) -> bool:
        return self.first_grade <= grade <= self.last_grade

    def students_by_level(self) -> tuple[int, int, int]:
        """Nominal students in grades 1–4, 5–9, 10–11."""
        levels = [0, 0, 0]
        for g, n in self.classes.items():
            levels[0 if g <= 4 else 1 if g <= 9 else 2] += n * self.class_size[g]
        return levels[0], levels[1], levels[2]


@dataclass
class Region:
    year: int
    seed: int
    students_per_class: int
    municipalities: list[Municipality]
    schools: list[School]
    planted: PlantedSchools
    spare: dict[str, list[str]]

    def school(self, code: str) -> School:
        return next(s for s in self.schools if s.code == code)

    def latent(self) -> dict[str, dict]:
        """Each school's latent level and its parts (the truth the planted stories are judged against)."""
        return {s.code: {"ability": round(s.ability, 4), "school_effect": round(s.effect, 4),
                         "type_effect": TYPE_EFFECT[s.school_type], "context_effect": round(s.context_effect, 4),
                         "low_result_penalty": round(s.low_result_penalty, 4),
                         "vpr_boost": BIAS_BOOST if s.biased else 0.0}
                for s in self.schools}

    def summary(self) -> dict:
        return {
            "municipalities": [{"code": m.code, "name": m.name, "kind": m.kind,
                                "schools": sum(1 for s in self.schools if s.municipality is m)}
                               for m in self.municipalities],
            "schools": len(self.schools),
            "school_types": {t: sum(1 for s in self.schools if s.school_type == t)
                             for t in c.SCHOOL_TYPES if any(s.school_type == t for s in self.schools)},
            "simulated_students": sum(len(co) for s in self.schools for co in s.cohorts.values()),
        }


# --- Building the region ---

def _municipalities(n: int, rng: np.random.Generator) -> list[Municipality]:
    city = names.CITY_NAMES[int(rng.integers(len(names.CITY_NAMES)))]
    town = names.TOWN_NAMES[int(rng.integers(len(names.TOWN_NAMES)))]
    order = [int(i) for i in rng.permutation(len(names.DISTRICT_NAMES))]
    result = [Municipality(0, "MO01", f"Городской округ {city}", "city")]
    if n >= 4:
        result.append(Municipality(1, "MO02", f"Городской округ {town}", "town"))
    k = 0
    while len(result) < n:
        i = len(result)
        base = names.DISTRICT_NAMES[order[k % len(order)]]
        if k >= len(order):
            base = f"{base}-{k // len(order) + 1}"
        # Some districts have already become municipal okrugs, as in the real reform.
        unit = "муниципальный округ" if rng.random() < 0.3 else "муниципальный район"
        result.append(Municipality(i, f"MO{i + 1:02d}", f"{base} {unit}", "district"))
        k += 1
    return result


def _allocate(n_schools: int, municipalities: list[Municipality], rng: np.random.Generator) -> list[int]:
    """Schools per municipality: the city about a third, a town a little, districts share the rest."""
    if len(municipalities) == 1:
        return [n_schools]
    weights = []
    for m in municipalities:
        if m.kind == "city":
            weights.append(0.35)
        elif m.kind == "town":
            weights.append(0.08)
        else:
            weights.append(float(rng.uniform(0.6, 1.4)))
    fixed = sum(w for m, w in zip(municipalities, weights) if m.kind != "district")
    district_total = sum(w for m, w in zip(municipalities, weights) if m.kind == "district")
    shares = [w if m.kind != "district" else w / district_total * (1 - fixed)
              for m, w in zip(municipalities, weights)]
    raw = [s * n_schools for s in shares]
    counts = [max(1, int(math.floor(r))) for r in raw]
    # Largest remainders first; take back from the largest municipality if the minimum of 1 overshot.
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - math.floor(raw[i])), i))
    j = 0
    while sum(counts) < n_schools:
        counts[order[j % len(order)]] += 1
        j += 1
    while sum(counts) > n_schools:
        counts[max(range(len(counts)), key=lambda i: (counts[i], -i))] -= 1
    return counts


def _quoted(name: str, rng: np.random.Generator) -> str:
    # Most names carry straight quotes (they get doubled in CSV), some carry «guillemets».
    return name if rng.random() < 0.8 else name.replace('"', "«", 1).replace('"', "»", 1)


def _school_skeletons(municipality: Municipality, count: int, rng: np.random.Generator,
                      first_district: bool) -> list[tuple[str, bool, str, str]]:
    """(type, urban, name, size class) for the schools of one municipality."""
    result: list[tuple[str, bool, str, str]] = []
    if municipality.kind == "city":
        n_special = min(count - 1, math.ceil(0.35 * count)) if count > 1 else 0
        specials = [CITY_SPECIAL_TYPES[i] if i < len(CITY_SPECIAL_TYPES)
                    else CITY_SPECIAL_CYCLE[(i - len(CITY_SPECIAL_TYPES)) % len(CITY_SPECIAL_CYCLE)]
                    for i in range(n_special)]
        types = specials + ["СОШ"] * (count - n_special)
        numbers = np.cumsum(rng.integers(1, 4, size=count))
        kind_counter: dict[str, int] = {}
        big_left = 2  # two big schools (1000+ students) in the city: spaced thousands in the data
        for t, number in zip(types, numbers):
            k = kind_counter[t] = kind_counter.get(t, 0) + 1
            name = {
                "гимназия": f'МАОУ "Гимназия № {k}"',
                "лицей": f'МАОУ "Лицей № {k}"',
                "СОШ с УИОП": f'МБОУ "СОШ № {number} с углублённым изучением отдельных предметов"',
                "вечерняя школа": f'МБОУ "Вечерняя (сменная) общеобразовательная школа № {k}"',
                "кадетская школа": f'МБОУ "Кадетская школа № {k}"',
                "ЦО": f'МАОУ "Центр образования № {k}"',
            }.get(t, f'МБОУ "СОШ № {number}"')
            size = "city"
            if big_left and t in ("гимназия", "лицей", "СОШ с УИОП", "СОШ"):
                size, big_left = "big", big_left - 1
            result.append((t, True, _quoted(name, rng), size))
        return result
    villages = [names.VILLAGE_NAMES[int(i)] for i in rng.permutation(len(names.VILLAGE_NAMES))]
    n_urban = max(1, int(round(0.25 * count))) if municipality.kind == "district" else count - count // 5
    n_urban = min(n_urban, count)
    for k in range(n_urban):
        t = "гимназия" if (k == 1 and n_urban >= 3) else "СОШ"
        name = 'МБОУ "Гимназия"' if t == "гимназия" else f'МБОУ "СОШ № {k + 1}"'
        result.append((t, True, _quoted(name, rng), "town"))
    for k in range(count - n_urban):
        t = RURAL_TYPE_CYCLE[k % len(RURAL_TYPE_CYCLE)]
        if first_district and k == 2:
            t = "школа-интернат"
        village = villages[k % len(villages)] + ("" if k < len(villages) else f" {k // len(villages) + 1}")
        owner = "МБОУ" if t == "СОШ" else "МКОУ"
        label = "школа-интернат" if t == "школа-интернат" else t
        result.append((t, False, _quoted(f'{owner} "{village} {label}"', rng), "rural"))
    return result


def _nominal_classes(school: School, size_class: str, rng: np.random.Generator) -> None:
    t = school.school_type
    if size_class == "big":
        per_grade, lo, hi = 3, 31, 33
    elif size_class == "city":
        per_grade = 3 if t in ("гимназия", "лицей", "СОШ с УИОП", "ЦО") else int(rng.integers(2, 4))
        lo, hi = 24, 31
        if t in ("вечерняя школа", "кадетская школа"):
            per_grade, lo, hi = (1, 12, 22) if t == "вечерняя школа" else (2, 22, 28)
    elif size_class == "town":
        per_grade, lo, hi = int(rng.integers(1, 3)), 18, 27
    else:
        per_grade = 1
        lo, hi = {"СОШ": (6, 16), "ООШ": (3, 10), "НОШ": (3, 8), "школа-интернат": (8, 14)}.get(t, (5, 12))
    for g in range(school.first_grade, school.last_grade + 1):
        n_classes = per_grade if (g < 10 or size_class == "big") else max(1, per_grade - 1)
        size = int(rng.integers(lo, hi + 1))
        if g >= 10 and size_class == "rural":
            size = max(2, int(round(size * 0.6)))
        school.classes[g] = n_classes
        school.class_size[g] = size
    school.students = sum(school.classes[g] * school.class_size[g] for g in school.classes)


def _context(school: School, rng: np.random.Generator) -> None:
    kind = school.municipality.kind
    if school.unfavorable:
        low, nn = rng.uniform(42, 65), rng.uniform(35, 75)
    elif kind == "city" and school.urban:
        low, nn = rng.uniform(4, 16), rng.uniform(1, 10)
    elif school.urban:
        low, nn = rng.uniform(8, 22), rng.uniform(2, 12)
    else:
        low, nn = rng.uniform(15, 35), rng.uniform(2, 25)
    ovz = rng.uniform(1.5, 6.5)
    if school.school_type in ("гимназия", "лицей"):
        low, ovz = low * 0.5, ovz * 0.5
    elif school.school_type == "школа-интернат":
        # An unfavourable boarding school keeps its unfavourable share of low-income families.
        boarding_low = rng.uniform(30, 60)
        low, ovz = (low if school.unfavorable else boarding_low), rng.uniform(40, 90)
    elif school.school_type == "вечерняя школа":
        low = rng.uniform(20, 40)
    school.low_income_pct = round(float(low), 1)
    school.non_native_pct = round(float(nn), 1)
    school.disability_pct = round(float(ovz), 1)
    school.effect = float(rng.normal(0.0, 0.3))
    school.context_effect = (0.9 * school.low_income_pct / 100 + 0.6 * school.non_native_pct / 100
                             + (0.0 if school.urban else 0.15))
    school.ability = BASE_ABILITY + school.effect + TYPE_EFFECT[school.school_type] - school.context_effect


def _assessable(s: School) -> bool:
    """A school with results in more than one procedure: ВПР (a grade 4–8) and ОГЭ (grade 9)."""
    return s.has_grade(9) and any(s.has_grade(g) for g in range(4, 9))


def _plant_low_results(schools: list[School], n_tail: int, rng: np.random.Generator) -> tuple[str, ...]:
    """The region's bottom tail of low-result schools; returns their codes.

    The schools chosen for a deficit (`low_result`) lose LOW_RESULT_PENALTY; then the tail is they and the
    lowest other schools with ВПР and ОГЭ (not biased ones: their ВПР is inflated), `n_tail` in all. Every
    school of the tail is put LOW_RESULT_MARGIN plus a random part of LOW_RESULT_SPREAD below the lowest
    school outside it, unless it is that low already, so the tail is clearly the tail."""
    for s in schools:
        if s.low_result:
            s.low_result_penalty = LOW_RESULT_PENALTY
            s.ability -= LOW_RESULT_PENALTY
    candidates = sorted((s for s in schools if _assessable(s) and not s.biased),
                        key=lambda s: (not s.low_result, s.ability, s.index))
    tail = candidates[:max(n_tail, sum(s.low_result for s in schools))]
    in_tail = {s.code for s in tail}
    rest = [s.ability for s in schools if s.code not in in_tail and any(s.has_grade(g) for g in SIM_GRADES)]
    floor = min(rest) if rest else BASE_ABILITY
    for s in tail:
        target = floor - LOW_RESULT_MARGIN - float(rng.uniform(0.0, LOW_RESULT_SPREAD))
        if s.ability > target:
            s.low_result_penalty += s.ability - target
            s.ability = target
        s.low_result = True
    return tuple(sorted(in_tail))


def cohort_key(year: int, grade: int) -> int:
    """The year the students of `grade` in `year` would have been in grade 0: the same for a cohort
    every year."""
    return year - grade


def _cohorts(school: School, year: int, seed: int, students_per_class: int) -> None:
    for g in SIM_GRADES:
        if not school.has_grade(g):
            continue
        labels: list[str] = []
        ability: list[np.ndarray] = []
        disability: list[np.ndarray] = []
        for k in range(school.classes[g]):
            n = max(1, int(round(school.class_size[g] * students_per_class / NOMINAL_CLASS)))
            sep = " " if school.spaced_class_label else ""
            labels.extend([f"{g}{sep}{CLASS_LETTERS[k]}"] * n)
            # Streams of the class of one cohort: the first students are the same whatever the size.
            key = (school.code, cohort_key(year, g), k)
            class_effect = float(stream(seed, "cohort", *key, "class").normal(0.0, CLASS_SD))
            ability.append(school.ability + class_effect
                           + stream(seed, "cohort", *key, "students").normal(0.0, STUDENT_SD, size=n))
            disability.append(stream(seed, "cohort", *key, "disability").random(n) < school.disability_pct / 100)
        school.cohorts[g] = Cohort(g, labels, [], np.concatenate(ability), np.concatenate(disability))


def build_region(year: int, seed: int, n_schools: int, n_municipalities: int, students_per_class: int,
                 biased: bool = True) -> Region:
    if n_municipalities < 1 or n_schools < n_municipalities:
        raise ValueError("need at least one municipality and at least one school per municipality")
    if n_municipalities > 98 or n_schools > 9000:
        raise ValueError("the code scheme holds up to 98 municipalities and 9000 schools")
    if students_per_class < 1:
        raise ValueError("students_per_class must be at least 1")
    rng = stream(seed, "region")
    municipalities = _municipalities(n_municipalities, rng)
    counts = _allocate(n_schools, municipalities, rng)
    wide = max(counts) > 99
    schools: list[School] = []
    size_classes: list[str] = []
    first_district = True
    for m, count in zip(municipalities, counts):
        skeletons = _school_skeletons(m, count, rng, first_district and m.kind == "district")
        if m.kind == "district":
            first_district = False
        for k, (t, urban, name, size_class) in enumerate(skeletons, start=1):
            code = f"OO{m.index + 1:02d}{k:03d}" if wide else f"OO{m.index + 1:02d}{k:02d}"
            lo, hi = GRADE_SPAN[t]
            schools.append(School(len(schools), code, name, m, t, urban, lo, hi))
            size_classes.append(size_class)

    for s, size_class in zip(schools, size_classes):
        _nominal_classes(s, size_class, rng)

    rural = [s.code for s in schools if not s.urban and s.last_grade >= 9]
    with_results = [s for s in schools
                    if s.school_type in ("СОШ", "ООШ", "СОШ с УИОП", "ЦО") and s.has_grade(4) and s.has_grade(9)]
    biased_pool = [s.code for s in with_results if s.students >= BIASED_MIN_STUDENTS]
    low_pool = [s.code for s in with_results if s.students >= LOW_RESULT_MIN_STUDENTS]
    planted = choose_planted_schools(len(schools), rural, biased_pool or [s.code for s in with_results],
                                     low_pool or [s.code for s in with_results], stream(seed, "planted-schools"))
    if not biased:
        # A region with no inflated school (the accuracy study's clean regions); every draw stays the same.
        planted = replace(planted, biased=())
    for s in schools:
        s.biased = s.code in planted.biased
        s.low_result = s.code in planted.low_result
        s.unfavorable = s.code in planted.unfavorable
        if s.unfavorable:
            s.urban = False

    for s in schools:
        _context(s, rng)
        female = rng.random() < 0.75
        s.head_name = names.full_name(rng, bool(female))
        # Appointed between 1998 and the summer before the school year of the results.
        first, last = date(1998, 1, 15), date(year - 1, 8, 31)
        # One draw whatever the span, so the schools after this one get the same numbers in every year.
        s.head_appointed = first + timedelta(days=int(rng.random() * ((last - first).days + 1)))
        s.spaced_class_label = bool(rng.random() < 0.25)
    tail = _plant_low_results(schools, planted_count(len(schools), LOW_RESULT_SHARE), stream(seed, "low-result-tail"))
    planted = replace(planted, low_result=tail)
    for s in schools:
        _cohorts(s, year, seed, students_per_class)

    # Participant codes: unique across the region, stable for a student across all sources.
    total = sum(len(co) for s in schools for co in s.cohorts.values())
    spare_total = SPARE_CODES_PER_SOURCE * len(SPARE_SOURCES)
    numbers = stream(seed, "participant-codes").choice(9_000_000, size=total + spare_total, replace=False)
    codes = [f"P{1_000_000 + int(n)}" for n in numbers]
    pos = 0
    for s in schools:
        for co in s.cohorts.values():
            co.codes = codes[pos:pos + len(co)]
            pos += len(co)
    spare = {src: codes[pos + i * SPARE_CODES_PER_SOURCE: pos + (i + 1) * SPARE_CODES_PER_SOURCE]
             for i, src in enumerate(SPARE_SOURCES)}
    return Region(year, seed, students_per_class, municipalities, schools, planted, spare)


# --- schools.* ---

SCHOOLS_FILE = "schools.csv"
SCHOOLS_LAYOUT = TextLayout(encoding="cp1251", delimiter=";", line_terminator="\r\n")


def _school_row(s: School, rng: np.random.Generator, thousands_sep: str, force: str = "") -> list:
    comma = rng.random() < 0.85 and force != "decimal_point"
    appointed = iso(s.head_appointed) if (rng.random() < 0.12 or force == "iso_date") else dmy(s.head_appointed)
    ovz = "" if rng.random() < 0.05 else decimal(s.disability_pct, comma=comma)
    return [s.code, s.name, s.municipality.code, s.municipality.name, s.school_type, s.locality, s.head_name,
            appointed, thousands(s.students, thousands_sep), decimal(s.low_income_pct, comma=comma),
            decimal(s.non_native_pct, comma=comma), ovz]


def _bad_school_rows(region: Region, rng: np.random.Generator) -> list[tuple[list, Plant]]:
    """Extra reference rows, each broken in one way; their codes are referenced by no other file."""
    year = region.year
    m = region.municipalities[-1]
    rows: list[tuple[list, Plant]] = []
    villages = [names.VILLAGE_NAMES[int(i)] for i in rng.permutation(len(names.VILLAGE_NAMES))]

    def base(k: int) -> list:
        head = names.full_name(rng, bool(rng.random() < 0.7))
        appointed = date(year - int(rng.integers(2, 15)), int(rng.integers(1, 13)), int(rng.integers(1, 29)))
        return [f"OO99{k:02d}", f'МКОУ "{villages[k % len(villages)]} ООШ"', m.code, m.name, "ООШ",
                c.LOCALITIES[1], head, dmy(appointed), str(int(rng.integers(40, 120))),
                decimal(float(rng.uniform(15, 35))), decimal(float(rng.uniform(2, 20))),
                decimal(float(rng.uniform(1.5, 6.5)))]

    r = base(1)
    r[0] = QUARANTINED_SCHOOL_CODE
    rows.append((r, Plant(c.BAD_FORMAT, "Код ОО", "school code with a hyphen")))
    r = base(2)
    r[0] = "OO9"
    rows.append((r, Plant(c.BAD_FORMAT, "Код ОО", "school code too short")))
    r = base(3)
    r[8] = "-15"
    rows.append((r, Plant(c.OUT_OF_RANGE, "Численность обучающихся", "negative student count")))
    r = base(4)
    r[8] = "н/д"
    rows.append((r, Plant(c.BAD_TYPE, "Численность обучающихся", "text in an integer column")))
    r = base(5)
    r[5] = "поселок"
    rows.append((r, Plant(c.NOT_IN_SET, "Местность", "locality outside городская/сельская")))
    r = base(6)
    r[7] = dmy(date(year + 100, 9, 1))
    rows.append((r, Plant(c.DATE_IN_FUTURE, "Дата назначения руководителя", "typo: a century ahead")))
    r = base(7)
    r[1] = ""
    rows.append((r, Plant(c.REQUIRED_MISSING, "Наименование ОО", "empty school name")))
    return rows


def write_schools(region: Region, root: Path, log: PlantLog) -> FileRecord:
    """cp1251, `;`, CRLF: quoted names with doubled quotes, spaced thousands (also NBSP), decimal
    commas (and some points), mixed date formats, blank lines, and a few broken extra rows."""
    rng = stream(region.seed, "schools-file")
    header = [col.header for col in c.SCHOOLS.columns]
    rows: list[PlantedRow] = []
    big_seen = 0
    # Row 2 and 3 of the region always show a decimal point and an ISO date, so even a tiny region
    # has every variant.
    forced = {1: "decimal_point", 2: "iso_date"}
    for i, s in enumerate(region.schools):
        if s.students >= 1000:
            # The first big school uses a non-breaking space, the next a plain one, then either.
            sep = NBSP if big_seen == 0 else " " if big_seen == 1 else (NBSP if rng.random() < 0.5 else " ")
            big_seen += 1
        else:
            sep = " "
        rows.append((_school_row(s, rng, sep, forced.get(i, "")), None))
    bad = _bad_school_rows(region, rng)
    for values, plant in bad:
        at = int(rng.integers(1, len(rows) + 1))
        rows.insert(at, (values, plant))
    # One name per municipality code: a later row spelling the city differently is the odd one out.
    city = region.municipalities[0]
    odd = _school_row(region.schools[0], rng, " ")
    odd[0], odd[1] = "OO9908", 'МБОУ "СОШ № 98"'
    odd[3] = city.name.replace("Городской округ", "г.о.")
    rows.append((odd, Plant(c.INCONSISTENT_NAME, "Муниципальное образование", "second spelling of one municipality")))

    writer = open_table(root, SCHOOLS_FILE, "schools", header, layout=SCHOOLS_LAYOUT)
    blank_after = max(1, len(rows) // 3)
    for i, (values, plant) in enumerate(rows):
        write_rows(writer, header, [(values, plant)], log)
        if i + 1 == blank_after:
            writer.blank()
    writer.blank()
    writer.blank()
    for feature in ("decimal_comma", "decimal_point", "dmy_dates", "iso_dates"):
        writer.note(feature)
    if big_seen:
        writer.note("spaced_thousands")
        writer.note("nbsp_thousands")
    return writer.close()
