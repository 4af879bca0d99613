"""How validated rows of a source become rows of its table, as its description maps them (`table`, `load`,
`rows`, `side_table` in include/sources/<name>.yaml). Transforms that need code are named here."""
from __future__ import annotations

import json
from collections.abc import Callable

import numpy as np
import pandas as pd

from edu_quality.sources.privacy import keyed_hash
from edu_quality.sources.registry import description


def table_spec(source: str) -> tuple[str, list[str]]:
    """(table, loaded columns in COPY order; load_id and row_number are appended)."""
    d = description(source)
    return d.table, d.load_columns()


def rows_for_table(source: str, frame: pd.DataFrame, year: int,
                   task_columns: list[tuple[str, str, int]]) -> pd.DataFrame:
    d = description(source)
    if d.rows:
        return ROW_BUILDERS[d.rows](frame, year, task_columns, d.load_columns())
    transforms = d.load_transforms()
    out = pd.DataFrame(index=frame.index)
    for name in d.load_columns():
        how = transforms.get(name, {})
        if name == "year":
            # Files carrying their own year were validated to match the inbox year.
            out[name] = year
        elif "hash" in how:  # participant and teacher codes are kept only as keyed hashes
            out[name] = keyed_hash(frame[how["hash"]])
        elif "rule" in how:
            out[name] = COLUMN_RULES[how["rule"]](frame, task_columns)
        else:
            col = frame[name]
            if col.dtype.kind == "M":
                col = col.dt.strftime("%Y-%m-%d")
            out[name] = col
    out["row_number"] = frame["_row"].astype("int64")
    return out


def _task_scores_json(frame: pd.DataFrame, task_columns: list[tuple[str, str, int]]) -> list[str] | str:
    """`{"1К1": 2, "1К2": null, …}` per row, written column-wise (a dict and json.dumps per row cost
    more than the rest of the load)."""
    if not task_columns:
        return "{}"
    parts = []
    for col, task_id, _ in task_columns:
        key = json.dumps(task_id, ensure_ascii=False) + ": "
        values = frame[col].astype("Int64")
        # Scores are small integers: index a table of ready-made `"id": n` strings instead of formatting
        # each cell (code 0 is null, n + 1 is score n; out-of-range rows never reach the loader).
        missing = values.isna().to_numpy()
        numbers = values.fillna(0).to_numpy(dtype="int64")
        if numbers.size and (numbers.min() < 0 or numbers.max() > 1000):
            parts.append([key + v for v in values.astype("string").fillna("null").tolist()])
            continue
        table = np.array([key + "null"] + [f"{key}{n}" for n in range(int(numbers.max(initial=0)) + 1)],
                         dtype=object)
        parts.append(table[np.where(missing, 0, numbers + 1)].tolist())
    return ["{" + ", ".join(row) + "}" for row in zip(*parts)]


def _self_evaluation_rows(frame: pd.DataFrame, year: int, items: list[tuple[str, str, str]],
                          columns: list[str]) -> pd.DataFrame:
    """One row per school and indicator: the form is wide, the warehouse keeps it long."""
    parts = []
    for column, code, header in items:
        parts.append(pd.DataFrame({
            "year": year, "school_code": frame["school_code"], "indicator_code": code, "header": header,
            "value_text": frame[f"{column}__text"], "count_value": frame[f"{column}__count"],
            "share_value": frame[f"{column}__share"], "flag_value": frame[f"{column}__flag"],
            "submitted_at": frame["_submitted"].dt.strftime("%Y-%m-%d %H:%M:%S"),
            "row_number": frame["_row"].astype("int64")}))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=[*columns, "row_number"])


def first_municipality_names(good: pd.DataFrame, collected: dict) -> None:
    """core.municipality from the schools reference: code → the first name a kept row gives."""
    for code, name in zip(good["municipality_code"].tolist(), good["municipality_name"].tolist()):
        if isinstance(name, str) and name:  # a kept row whose name broke the rule has it emptied
            collected.setdefault(code, name)


def municipality_rows(year: int, load_id: int, collected: dict) -> tuple[str, list[tuple]]:
    return ("insert into core.municipality (year, municipality_code, municipality_name, load_id) "
            "values (%s, %s, %s, %s) on conflict (year, municipality_code) do nothing",
            [(year, code, name, load_id) for code, name in sorted(collected.items())])


# The names descriptions use under `load` ({column: {rule: …}}), `rows` and `side_table`.
COLUMN_RULES: dict[str, Callable] = {"task_scores": _task_scores_json}
ROW_BUILDERS: dict[str, Callable] = {"self_evaluation_long": _self_evaluation_rows}
SIDE_TABLES: dict[str, tuple[Callable, Callable]] = {"first_municipality_names": (first_municipality_names,
                                                                                  municipality_rows)}
