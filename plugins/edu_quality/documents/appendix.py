"""The school document's appendix: the school's indicators grouped by direction, only those that apply to a
school of its type, each labelled with its unit once and shown with the precision its unit calls for."""
from __future__ import annotations

from edu_quality.formatting import DASH, num

# Exams a school of a type has no graduates for: no ОГЭ in a primary school, no ЕГЭ below grade 11.
NO_EXAMS = {"НОШ": ("oge_", "ege_"), "ООШ": ("ege_",)}
# Indicators worded for a municipality («Доля ОО …»): a share of schools means nothing for one school.
MUNICIPAL_WORDING = ("Доля ОО", "Доля образовательных организаций")
# Units a name already spells out («…, полных лет», «…, кв. м»): the unit «ед.» is not added after them.
NAMED_UNITS = {"полных лет": 0, "кв. м": 1}
REFERENCE_LEVELS = ("value", "previous_value", "municipality_value", "cluster_value", "region_value")


def applies(indicator: dict, school_type: str | None) -> bool:
    if indicator["name_ru"].startswith(MUNICIPAL_WORDING):
        return False
    return not indicator["indicator_code"].startswith(NO_EXAMS.get(school_type or "", ()))


def label(indicator: dict) -> str:
    """«Средний тестовый балл ЕГЭ по русскому языку, балл»; a share as it is; no «, ед.» after a named unit."""
    name, unit = indicator["name_ru"], indicator["unit"]
    if unit in ("%", "") or any(name.endswith(f", {u}") for u in NAMED_UNITS):
        return name
    return f"{name}, {unit}"


def digits(indicator: dict) -> int:
    """Whole years for a length of service; two decimals for a small count per pupil; one otherwise."""
    for unit, d in NAMED_UNITS.items():
        if indicator["name_ru"].endswith(f", {unit}"):
            return d
    values = [indicator[k] for k in REFERENCE_LEVELS if indicator.get(k) is not None]
    return 2 if indicator["unit"] == "ед." and values and all(abs(v) < 1 for v in values) else 1


def shown(x, indicator: dict, d: int) -> str:
    if x is None:
        return DASH
    return num(x, d, typographic=False, none=DASH) + (" %" if indicator["unit"] == "%" else "")


def appendix_rows(indicators: list[dict], school_type: str | None) -> list[dict]:
    """The rows of the appendix, in the order of their directions, each with its values formatted."""
    rows = []
    for i in indicators:
        if not applies(i, school_type):
            continue
        d = digits(i)
        rows.append({**i, "label_ru": label(i), **{f"{k}_ru": shown(i.get(k), i, d) for k in REFERENCE_LEVELS}})
    return rows
