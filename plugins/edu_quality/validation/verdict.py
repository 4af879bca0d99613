"""What a row's failures mean for it: quarantined whole, or (a reference row whose key is sound) kept with
its bad cells emptied and reported as data issues — the contract's "What bad input gets"."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from edu_quality.sources.description import SourceDescription
from edu_quality.validation.gx_runner import RowFailure

# A row with one of these cannot be trusted whatever column it blames.
WHOLE_ROW_RULES = frozenset({"duplicate_key", "extra_cells"})


def failure_text(f: RowFailure, rule_text: dict) -> str:
    """«Header»: the rule's text[: what exactly]."""
    return f"«{f.column}»: {rule_text.get(f.rule, f.rule)}" + (f": {f.detail}" if f.detail else "")


@dataclass
class Verdict:
    quarantined: dict[int, list[RowFailure]]   # row → its failures: the row goes to quarantine whole
    issues: dict[int, list[RowFailure]]        # row → failures of non-key cells: the row loads, the cells empty


def judge(by_row: dict[int, list[RowFailure]], described: SourceDescription) -> Verdict:
    if not described.keep_row_unless:
        return Verdict(by_row, {})
    key_headers = {described.column_spec(c).header for c in described.keep_row_unless}
    quarantined, issues = {}, {}
    for row, failures in by_row.items():
        whole = any(f.column in key_headers or f.rule in WHOLE_ROW_RULES for f in failures)
        (quarantined if whole else issues)[row] = failures
    return Verdict(quarantined, issues)


def empty_bad_cells(frame: pd.DataFrame, issues: dict[int, list[RowFailure]], headers: dict[str, str]) -> None:
    """Each column a kept row's failure blames is emptied for that row (the value broke its rule)."""
    if not issues:
        return
    by_header: dict[str, list[str]] = {}
    for name, header in headers.items():
        by_header.setdefault(header, []).append(name)
    rows = frame["_row"]
    for row, failures in issues.items():
        at = rows == row
        for name in {n for f in failures for n in by_header.get(f.column, ())}:
            if name in frame:
                frame.loc[at, name] = pd.NA
