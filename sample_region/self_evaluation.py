"""Самообследование: a Google-Forms export with one row per submission, the indicators of the official
form (Приказ Минобрнауки России № 1324, general education) written the way people type them.

Counts restate the other sources where the form asks for them (ГИА summaries, staff counts, olympiad
participation scaled to the school's size), and every stated share agrees with its counts to the
rounding a person would use. Two schools submit twice; the later submission wins.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

from edu_quality.sources import contract as c

from .gia import GiaSummary
from .olympiads import OlympiadSummary
from .planted import Plant, PlantLog
from .region import Region, School
from .rng import stream
from .staff import StaffSummary
from .writers import NBSP, FileRecord, TextLayout, decimal, open_table, thousands

SELF_EVALUATION_FILE = "self_evaluation.csv"
# Google Forms / Sheets CSV: UTF-8 without BOM, comma-delimited (decimal commas get quoted).
SELF_EVALUATION_LAYOUT = TextLayout("utf-8", ",", "\n")
YES, NO = c.YES_NO

# (number, text, kind). Kinds: count; pair (count and share of a denominator: students, grads9,
# grads11, staff); avg; per_student; area; yes_no.
INDICATORS: tuple[tuple[str, str, str], ...] = (
    ("1.1", "Общая численность учащихся", "count"),
    ("1.2", "Численность учащихся по образовательной программе начального общего образования", "count"),
    ("1.3", "Численность учащихся по образовательной программе основного общего образования", "count"),
    ("1.4", "Численность учащихся по образовательной программе среднего общего образования", "count"),
    ("1.5", "Численность/удельный вес численности учащихся, успевающих на «4» и «5» по результатам "
            "промежуточной аттестации, в общей численности учащихся", "pair:students"),
    ("1.6", "Средний балл государственной итоговой аттестации выпускников 9 класса по русскому языку", "avg"),
    ("1.7", "Средний балл государственной итоговой аттестации выпускников 9 класса по математике", "avg"),
    ("1.8", "Средний балл единого государственного экзамена выпускников 11 класса по русскому языку", "avg"),
    ("1.9", "Средний балл единого государственного экзамена выпускников 11 класса по математике", "avg"),
    ("1.10", "Численность/удельный вес численности выпускников 9 класса, получивших неудовлетворительные "
             "результаты на государственной итоговой аттестации по русскому языку, в общей численности "
             "выпускников 9 класса", "pair:grads9"),
    ("1.11", "Численность/удельный вес численности выпускников 9 класса, получивших неудовлетворительные "
             "результаты на государственной итоговой аттестации по математике, в общей численности "
             "выпускников 9 класса", "pair:grads9"),
    ("1.12", "Численность/удельный вес численности выпускников 11 класса, получивших результаты ниже "
             "установленного минимального количества баллов единого государственного экзамена по русскому "
             "языку, в общей численности выпускников 11 класса", "pair:grads11"),
    ("1.13", "Численность/удельный вес численности выпускников 11 класса, получивших результаты ниже "
             "установленного минимального количества баллов единого государственного экзамена по "
             "математике, в общей численности выпускников 11 класса", "pair:grads11"),
    ("1.14", "Численность/удельный вес численности выпускников 9 класса, не получивших аттестаты об основном "
             "общем образовании, в общей численности выпускников 9 класса", "pair:grads9"),
    ("1.15", "Численность/удельный вес численности выпускников 11 класса, не получивших аттестаты о среднем "
             "общем образовании, в общей численности выпускников 11 класса", "pair:grads11"),
    ("1.16", "Численность/удельный вес численности выпускников 9 класса, получивших аттестаты об основном "
             "общем образовании с отличием, в общей численности выпускников 9 класса", "pair:grads9"),
    ("1.17", "Численность/удельный вес численности выпускников 11 класса, получивших аттестаты о среднем "
             "общем образовании с отличием, в общей численности выпускников 11 класса", "pair:grads11"),
    ("1.18", "Численность/удельный вес численности учащихся, принявших участие в различных олимпиадах, "
             "смотрах, конкурсах, в общей численности учащихся", "pair:students"),
    ("1.19", "Численность/удельный вес численности учащихся - победителей и призеров олимпиад, смотров, "
             "конкурсов, в общей численности учащихся, в том числе:", "pair:students"),
    ("1.19.1", "Регионального уровня", "pair:students"),
    ("1.19.2", "Федерального уровня", "pair:students"),
    ("1.19.3", "Международного уровня", "pair:students"),
    ("1.20", "Численность/удельный вес численности учащихся, получающих образование с углубленным изучением "
             "отдельных учебных предметов, в общей численности учащихся", "pair:students"),
    ("1.21", "Численность/удельный вес численности учащихся, получающих образование в рамках профильного "
             "обучения, в общей численности учащихся", "pair:students"),
    ("1.22", "Численность/удельный вес численности обучающихся с применением дистанционных образовательных "
             "технологий, электронного обучения, в общей численности учащихся", "pair:students"),
    ("1.23", "Численность/удельный вес численности учащихся в рамках сетевой формы реализации "
             "образовательных программ, в общей численности учащихся", "pair:students"),
    ("1.24", "Общая численность педагогических работников, в том числе:", "count"),
    ("1.25", "Численность/удельный вес численности педагогических работников, имеющих высшее образование, "
             "в общей численности педагогических работников", "pair:staff"),
    ("1.26", "Численность/удельный вес численности педагогических работников, имеющих высшее образование "
             "педагогической направленности (профиля), в общей численности педагогических работников",
     "pair:staff"),
    ("1.27", "Численность/удельный вес численности педагогических работников, имеющих среднее "
             "профессиональное образование, в общей численности педагогических работников", "pair:staff"),
    ("1.28", "Численность/удельный вес численности педагогических работников, имеющих среднее "
             "профессиональное образование педагогической направленности (профиля), в общей численности "
             "педагогических работников", "pair:staff"),
    ("1.29", "Численность/удельный вес численности педагогических работников, которым по результатам "
             "аттестации присвоена квалификационная категория, в общей численности педагогических "
             "работников, в том числе:", "pair:staff"),
    ("1.29.1", "Высшая", "pair:staff"),
    ("1.29.2", "Первая", "pair:staff"),
    ("1.30", "Численность/удельный вес численности педагогических работников в общей численности "
             "педагогических работников, педагогический стаж работы которых составляет:", "pair:staff"),
    ("1.30.1", "До 5 лет", "pair:staff"),
    ("1.30.2", "Свыше 30 лет", "pair:staff"),
    ("1.31", "Численность/удельный вес численности педагогических работников в общей численности "
             "педагогических работников в возрасте до 30 лет", "pair:staff"),
    ("1.32", "Численность/удельный вес численности педагогических работников в общей численности "
             "педагогических работников в возрасте от 55 лет", "pair:staff"),
    ("1.33", "Численность/удельный вес численности педагогических и административно-хозяйственных "
             "работников, прошедших за последние 5 лет повышение квалификации/профессиональную "
             "переподготовку по профилю педагогической деятельности или иной осуществляемой в "
             "образовательной организации деятельности, в общей численности педагогических и "
             "административно-хозяйственных работников", "pair:staff"),
    ("1.34", "Численность/удельный вес численности педагогических и административно-хозяйственных "
             "работников, прошедших повышение квалификации по применению в образовательном процессе "
             "федеральных государственных образовательных стандартов, в общей численности педагогических "
             "и административно-хозяйственных работников", "pair:staff"),
    ("2.1", "Количество компьютеров в расчете на одного учащегося", "per_student"),
    ("2.2", "Количество экземпляров учебной и учебно-методической литературы из общего количества единиц "
            "хранения библиотечного фонда, состоящих на учете, в расчете на одного учащегося", "per_student"),
    ("2.3", "Наличие в образовательной организации системы электронного документооборота", "yes_no"),
    ("2.4", "Наличие читального зала библиотеки, в том числе:", "yes_no"),
    ("2.4.1", "С обеспечением возможности работы на стационарных компьютерах или использования переносных "
              "компьютеров", "yes_no"),
    ("2.4.2", "С медиатекой", "yes_no"),
    ("2.4.3", "Оснащенного средствами сканирования и распознавания текстов", "yes_no"),
    ("2.4.4", "С выходом в Интернет с компьютеров, расположенных в помещении библиотеки", "yes_no"),
    ("2.4.5", "С контролируемой распечаткой бумажных материалов", "yes_no"),
    ("2.5", "Численность/удельный вес численности учащихся, которым обеспечена возможность пользоваться "
            "широкополосным Интернетом (не менее 2 Мб/с), в общей численности учащихся", "pair:students"),
    ("2.6", "Общая площадь помещений, в которых осуществляется образовательная деятельность, в расчете на "
            "одного учащегося", "area"),
)
SUBMITTED_AT = c.SELF_EVALUATION.column("submitted_at").header
SCHOOL_CODE = c.SELF_EVALUATION.column("school_code").header


def indicator_header(number: str) -> str:
    return next(f"{n} {text}" for n, text, _ in INDICATORS if n == number)


# Facts: a pair (count, denominator), a plain number, a flag, or None (not applicable: left empty).
def _facts(s: School, gia: GiaSummary, staff: StaffSummary, oly: OlympiadSummary,
           rng: np.random.Generator) -> dict[str, object]:
    n = s.students
    primary, basic, secondary = s.students_by_level()
    f: dict[str, object] = {"1.1": n, "1.2": primary, "1.3": basic, "1.4": secondary}
    good = float(np.clip(0.42 + 0.12 * s.ability + (0.15 if s.biased else 0.0) + rng.normal(0, 0.05), 0.12, 0.85))
    f["1.5"] = (int(round(n * good)), n)

    def mean(values: list[int]) -> float | None:
        return round(float(np.mean(values)), 1) if values else None

    f["1.6"], f["1.7"] = mean(gia.marks_rus9), mean(gia.marks_mat9)
    f["1.8"], f["1.9"] = mean(gia.tests_rus11), mean(gia.tests_mat11)
    for number, count, total in (("1.10", gia.fail_rus9, gia.grads9), ("1.11", gia.fail_mat9, gia.grads9),
                                 ("1.12", gia.below_rus11, gia.grads11), ("1.13", gia.below_mat11, gia.grads11),
                                 ("1.14", gia.no_certificate9, gia.grads9),
                                 ("1.15", gia.no_certificate11, gia.grads11),
                                 ("1.16", gia.honours9, gia.grads9), ("1.17", gia.honours11, gia.grads11)):
        f[number] = (count, total) if total else None
    sim = max(1, oly.simulated_students)

    def scaled(count: int, factor: float = 1.0) -> int:
        # Olympiad counts come from the simulated students; the form wants the whole school.
        return min(n, int(round(n * count / sim * factor)))

    regional, federal = scaled(oly.regional), scaled(oly.federal)
    winners = max(scaled(oly.prize_winners, 1.5), regional + federal)
    f["1.18"] = (max(scaled(oly.participants, 1.2), winners), n)
    f["1.19"], f["1.19.1"], f["1.19.2"], f["1.19.3"] = (winners, n), (regional, n), (federal, n), (0, n)
    deep = s.school_type in ("СОШ с УИОП", "гимназия", "лицей")
    f["1.20"] = (int(round(n * rng.uniform(0.2, 0.5))) if deep else 0, n)
    f["1.21"] = (int(round(secondary * rng.uniform(0.5, 1.0))), n)
    f["1.22"] = (int(round(n * rng.uniform(0.0, 0.3))), n)
    f["1.23"] = (int(round(n * rng.uniform(0.0, 0.15))), n)
    t = staff.total
    f["1.24"] = t
    for number, count in (("1.25", staff.higher), ("1.26", staff.higher_ped), ("1.27", staff.vocational),
                          ("1.28", staff.vocational_ped), ("1.29", staff.highest + staff.first),
                          ("1.29.1", staff.highest), ("1.29.2", staff.first),
                          ("1.30", staff.experience_under5 + staff.experience_over30),
                          ("1.30.1", staff.experience_under5), ("1.30.2", staff.experience_over30),
                          ("1.31", staff.age_under30), ("1.32", staff.age_55plus), ("1.33", staff.cpd_5y),
                          ("1.34", staff.cpd_fgos)):
        f[number] = (count, t)
    f["2.1"] = round(float(rng.uniform(0.06, 0.3)), 2)
    f["2.2"] = round(float(rng.uniform(12, 40)), 1)
    f["2.3"] = bool(rng.random() < 0.9)
    hall = bool(rng.random() < 0.7)
    f["2.4"] = hall
    for sub in ("2.4.1", "2.4.2", "2.4.3", "2.4.4", "2.4.5"):
        f[sub] = hall and bool(rng.random() < 0.6)
    f["2.5"] = (int(round(n * rng.uniform(0.6, 1.0) if s.urban else n * rng.uniform(0.3, 0.9))), n)
    f["2.6"] = round(float(rng.uniform(4, 15) if s.urban else rng.uniform(10, 40)), 1)
    return f


@dataclass(frozen=True)
class Style:
    """How one school's clerk types numbers."""
    pair: int         # 0: `125 человек / 34,5 %`, 1: `125/34.5%`, 2: `125 чел. / 34,5%`
    units: bool       # `412 человек`, `0,12 единиц`, `12,4 кв. м`
    comma: bool       # decimal comma in plain numbers
    thousands: str    # separator in counts of 1000+

    def share(self, count: int, total: int) -> str:
        return decimal(100.0 * count / total if total else 0.0, 1, comma=self.pair != 1)

    def pair_cell(self, count: int, share: str) -> str:
        return (f"{count} человек / {share} %", f"{count}/{share}%", f"{count} чел. / {share}%")[self.pair]

    def cell(self, kind: str, value: object) -> str:
        if value is None:
            return ""
        if kind.startswith("pair"):
            count, total = value  # type: ignore[misc]
            return self.pair_cell(count, self.share(count, total))
        if kind == "count":
            text = thousands(int(value), self.thousands)  # type: ignore[arg-type]
            return f"{text} человек" if self.units else text
        if kind == "avg":
            return decimal(float(value), 1, comma=self.comma)  # type: ignore[arg-type]
        if kind == "per_student":
            text = decimal(float(value), 2 if float(value) < 1 else 1, comma=self.comma)  # type: ignore[arg-type]
            return f"{text} единиц" if self.units else text
        if kind == "area":
            text = decimal(float(value), 1, comma=self.comma)  # type: ignore[arg-type]
            return f"{text} кв. м" if self.units else text
        if kind == "yes_no":
            return YES if value else NO
        raise KeyError(kind)


def _row(stamp: datetime, code: str, facts: dict[str, object], style: Style) -> list[str]:
    return [stamp.strftime("%d.%m.%Y %H:%M:%S"), code] + [style.cell(kind, facts[n]) for n, _, kind in INDICATORS]


def write_self_evaluation(region: Region, root: Path, log: PlantLog, gia: dict[str, GiaSummary],
                          staff: dict[str, StaffSummary], olympiads: dict[str, OlympiadSummary]) -> FileRecord:
    rng = stream(region.seed, "self-evaluation")
    offset = int(rng.integers(3))
    opens = datetime(region.year + 1, 1, 9, 8, 0, 0)
    # (timestamp, school index, submission order, row) — sorted by time as the form exports them.
    entries: list[tuple[datetime, int, int, list[str], Plant | None, str]] = []
    n = len(region.schools)
    twice_count = 2 if n >= 4 else 1 if n >= 2 else 0
    chosen = sorted(int(i) for i in rng.choice(n, size=twice_count + 1, replace=False)) if n else []
    twice, mismatch = chosen[:twice_count], (chosen[-1] if len(chosen) > twice_count else None)
    for i, s in enumerate(region.schools):
        style = Style(pair=(i + offset) % 3, units=bool(rng.random() < 0.4), comma=bool(rng.random() < 0.8),
                      thousands=(" ", NBSP, "")[int(rng.integers(3))])
        facts = _facts(s, gia[s.code], staff[s.code], olympiads[s.code], rng)
        # A working day of the last three weeks of January, office hours.
        stamp = opens + timedelta(days=int(rng.integers(0, 19)), minutes=int(rng.integers(0, 11 * 60)),
                                  seconds=int(rng.integers(60)))
        plant = None
        row = _row(stamp, s.code, facts, style)
        if i == mismatch:
            # 1.5 states a share far from what its own count gives.
            count, total = facts["1.5"]  # type: ignore[misc]
            true = 100.0 * count / total
            wrong = true + 35 if true < 60 else true - 35
            col = 2 + next(k for k, (num, _, _) in enumerate(INDICATORS) if num == "1.5")
            row[col] = style.pair_cell(count, decimal(wrong, 1, comma=style.pair != 1))
            plant = Plant(c.SHARE_COUNT_MISMATCH, indicator_header("1.5"), "1.5 share far from 1.5 count / 1.1")
        entries.append((stamp, i, 1, row, plant, s.code))
        if i in twice:
            # The first, superseded submission came earlier with a different 1.5 count (still consistent).
            first = dict(facts)
            count, total = facts["1.5"]  # type: ignore[misc]
            first["1.5"] = (max(0, count - int(rng.integers(5, 30))), total)
            earlier = stamp - timedelta(days=int(rng.integers(1, 5)), minutes=int(rng.integers(1, 120)))
            entries.append((earlier, i, 0, _row(earlier, s.code, first, style), None, s.code))
    entries.sort(key=lambda e: (e[0], e[1], e[2]))

    header = [SUBMITTED_AT, SCHOOL_CODE] + [f"{num} {text}" for num, text, _ in INDICATORS]
    writer = open_table(root, SELF_EVALUATION_FILE, "self_evaluation", header, layout=SELF_EVALUATION_LAYOUT)
    superseded: dict[str, dict] = {}
    for _stamp, _i, order, row, plant, code in entries:
        number = writer.row(row)
        if plant is not None:
            log.bad(writer, header, number, row, plant)
        if order == 0:
            superseded[code] = {"source": "self_evaluation", "file": SELF_EVALUATION_FILE, "row_number": number,
                                "school_code": code, "submitted_at": row[0]}
        elif code in superseded:
            superseded[code]["superseded_by_row"] = number
            log.superseded.append(superseded[code])
    for feature in ("decimal_comma", "decimal_point", "units_in_cells", "count_share_pairs", "yes_no"):
        writer.note(feature)
    return writer.close()
