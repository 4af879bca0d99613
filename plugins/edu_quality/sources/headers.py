"""Header matching as the contract says: ignore case, surrounding and doubled spaces, `ё`/`е`.

Real exports also vary the quotes (`«3»` / `"3"`) and sometimes copy the contract's enumeration into
the header (`Статус (участник|призёр|победитель)`): both are tolerated.
"""
from __future__ import annotations

import re

from edu_quality.sources.contract import PERSONAL_DATA_HEADERS, VPR_TASK_HEADER_RE, Source

_SPACES = re.compile(r"\s+")
_ENUM_TAIL = re.compile(r"\s*\([^()]*(\||\bили\b)[^()]*\)\s*$")
_TASK = re.compile(VPR_TASK_HEADER_RE)
_SELF_EVAL = re.compile(r"^\s*(?P<code>\d+(?:\.\d+)+|\d+)\.?\s+\S")


def normalize(header: object) -> str:
    text = "" if header is None else str(header)
    text = text.replace("\ufeff", "").replace("\u00a0", " ").replace("ё", "е").replace("Ё", "Е")
    text = text.replace("«", '"').replace("»", '"').replace("“", '"').replace("”", '"')
    text = _SPACES.sub(" ", text).strip().lower()
    return _ENUM_TAIL.sub("", text).strip()


def match_columns(headers: list[object], source: Source) -> dict[int, str]:
    """Position in the file → contract column name, for the contract's headers found."""
    wanted = {normalize(c.header): c.name for c in source.columns}
    found: dict[int, str] = {}
    for i, h in enumerate(headers):
        name = wanted.get(normalize(h))
        if name is not None and name not in found.values():
            found[i] = name
    return found


def missing_required(headers: list[object], source: Source) -> list[str]:
    present = set(match_columns(headers, source).values())
    return [c.header for c in source.columns if c.required and c.name not in present]


def is_personal_data(header: object) -> bool:
    return normalize(header) in PERSONAL_DATA_HEADERS


def task_header(header: object) -> tuple[str, int] | None:
    """`12К1 (2б)` → ("12К1", 2); None for anything else."""
    m = _TASK.match(str(header or "").replace("\u00a0", " "))
    return (m.group("task"), int(m.group("max"))) if m else None


def self_evaluation_code(header: object) -> str | None:
    """`1.29.1 Высшая` → "1.29.1"."""
    m = _SELF_EVAL.match(str(header or "").replace("\u00a0", " "))
    return m.group("code") if m else None
