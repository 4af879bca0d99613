"""Numbers in Russian text: decimal comma, a space before «%», and «нет данных» for a missing value."""
from __future__ import annotations

import math

NO_DATA = "нет данных"


def missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def num(x, digits: int = 1) -> str:
    if missing(x):
        return NO_DATA
    text = f"{float(x):.{digits}f}"
    if text.startswith("-") and float(text) == 0:
        text = text[1:]
    return text.replace("-", "−").replace(".", ",")


def value(x, unit: str, digits: int | None = None) -> str:
    """`23,1 %`, `3,6 балла`, `0,07 ед.` — the unit of the catalogue (or `п. п.`, `σ`, `раза`)."""
    if missing(x):
        return NO_DATA
    if digits is None:
        digits = 2 if unit == "ед." and abs(float(x)) < 1 else 1
    text = num(x, digits)
    if unit == "%":
        return f"{text} %"
    if unit == "балл":
        return f"{text} балла"
    return f"{text} {unit}" if unit else text


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
