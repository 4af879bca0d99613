"""Numbers and dates in Russian text: the one formatter of every page, document and stored explanation.

A decimal comma everywhere; the rest depends on where the number is read. Each place kept the notation
it had, so the differences are parameters of `num` and `value`, with a named shorthand per place:

- prose — analysis explanations, the methodology page (`num`, `value`, `exact`): a typographic minus
  «−», no «−0,0», «нет данных» for a missing value, the unit spelt out («3,6 балла»);
- document tables, HTML and DOCX (`cell`, the `cell` filter): Python's own sign («-0,3», «-0,0»), «—»
  for a missing value, only «%» shown (the column header names any other unit);
- a recommendation's basis (`basis_value`): the catalogue's unit as it is written («3,6 балл»).

Below every stage of the package: imports nothing from edu_quality.
"""
from __future__ import annotations

import math
from datetime import date

NO_DATA = "нет данных"
DASH = "—"
MONTHS_RU = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября",
             "октября", "ноября", "декабря")
# How a value's unit follows the number (see the module docstring).
UNIT_STYLES = ("prose", "table", "catalogue")


def missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def num(x, digits: int = 1, *, trim: bool = False, typographic: bool = True, none: str = NO_DATA) -> str:
    """`x` with `digits` decimals and a decimal comma; `trim` drops trailing zeros (settings: 0,4; 2).

    `typographic`: «−» for a minus and no negative zero; without it the sign is Python's «-».
    Decimals are formatted as floats (as `%`-formatting does), so a Decimal rounds like a float.
    """
    if missing(x):
        return none
    text = f"{float(x):.{digits}f}"
    if trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    if typographic:
        if text.startswith("-") and float(text) == 0:
            text = text[1:]
        text = text.replace("-", "−")
    return text.replace(".", ",")


def unit_suffix(unit: str, style: str = "prose") -> str:
    """What follows the number: « %» always; other units per `style` (UNIT_STYLES)."""
    if unit == "%":
        return " %"
    if style == "table":
        return ""
    if style == "catalogue":
        return f" {unit}"
    if unit == "балл":
        return " балла"
    return f" {unit}" if unit else ""


def value(x, unit: str, digits: int | None = None, *, style: str = "prose", typographic: bool = True,
          none: str = NO_DATA) -> str:
    """`23,1 %`, `3,6 балла`, `0,07 ед.` — a value with the unit of the catalogue (or `п. п.`, `σ`, `раза`).

    Without `digits`: two decimals for a small count per unit («0,07 ед.»), one otherwise.
    """
    if missing(x):
        return none
    if digits is None:
        digits = 2 if unit == "ед." and abs(float(x)) < 1 else 1
    return num(x, digits, typographic=typographic) + unit_suffix(unit, style)


def cell(x, unit: str = "") -> str:
    """A number in a document's table: one decimal, «—» when missing, « %» after a share."""
    return value(x, unit, 1, style="table", typographic=False, none=DASH)


def basis_value(x, unit: str) -> str:
    """A value in a recommendation's basis: one decimal, Python's sign, the catalogue's unit as written."""
    return value(x, unit, 1, style="catalogue", typographic=False)


def exact(x, *, typographic: bool = True) -> str:
    """A configured number as a reader writes it, up to six decimals: 0,4; 2; 1,5; −0,5."""
    return num(x, 6, trim=True, typographic=typographic)


def whole_percent(share) -> str:
    """A share 0–1 as whole percent: 0.6 → 60."""
    return exact(round(100 * share))


def plural(n: int, one: str, few: str, many: str) -> str:
    n = abs(int(n))
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def count(n: int, one: str, few: str, many: str) -> str:
    return f"{n} {plural(n, one, few, many)}"


def lower_first(text: str) -> str:
    """«Доля отметок «2» по ВПР» → «доля отметок «2» по ВПР» (an abbreviation keeps its capitals)."""
    return text[:1].lower() + text[1:] if text and not text[:2].isupper() else text


def upper_first(text: str) -> str:
    """The start of a sentence: «доля педагогов …» → «Доля педагогов …»."""
    return text[:1].upper() + text[1:] if text else text


def quotes_ru(text: str) -> str:
    """Straight or English quotation marks of a source's text (a school's name) as «ёлочки»:
    МБОУ "СОШ № 1" → МБОУ «СОШ № 1»."""
    out, opened = [], False
    for ch in text or "":
        if ch in "\"“”„":
            ch, opened = ("»", False) if opened else ("«", True)
        out.append(ch)
    return "".join(out)


def sentence(text: str) -> str:
    """A sentence of stored text: a capital first letter and one full stop at the end."""
    text = upper_first((text or "").strip())
    return text if not text or text[-1] in ".!?…" else text + "."


def date_ru(day: date) -> str:
    """1 марта 2026 г."""
    return f"{day.day} {MONTHS_RU[day.month - 1]} {day.year} г."


# The Jinja filters of every template (documents/templating.py registers them).
JINJA_FILTERS = {"cell": cell, "num": num, "exact": exact, "whole_percent": whole_percent, "date_ru": date_ru,
                 "quotes_ru": quotes_ru, "sentence": sentence, "lower_first": lower_first}
