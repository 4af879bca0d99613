"""How validated rows of each source become rows of its core table."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd

from edu_quality.sources.privacy import keyed_hash

# source → (core table, its loaded columns in COPY order; load_id and row_number are appended)
TABLES: dict[str, tuple[str, list[str]]] = {
    "schools": ("core.school", ["year", "school_code", "school_name", "municipality_code", "school_type",
                                "locality", "head_name", "head_appointed_on", "students", "low_income_pct",
                                "non_native_pct", "disability_pct"]),
    "vpr_scales": ("core.vpr_scale", ["year", "subject", "grade", "max_score", "min_score_3",
                                      "min_score_4", "min_score_5"]),
    "vpr": ("core.vpr_result", ["year", "school_code", "subject", "grade", "class_label",
                                "participant_hash", "variant", "primary_score", "mark", "journal_mark",
                                "task_scores"]),
    "gia_thresholds": ("core.gia_threshold", ["year", "exam_form", "subject", "min_test_score",
                                              "min_score_3", "min_score_4", "min_score_5"]),
    "gia": ("core.gia_result", ["year", "school_code", "participant_hash", "exam_form", "subject",
                                "exam_date", "primary_score", "test_score", "mark", "status"]),
    "teachers": ("core.teacher", ["year", "school_code", "teacher_hash", "position",
                                  "qualification_category", "experience_years", "age_years",
                                  "deficit_diagnosed", "cpd_hours_3y", "targeted_programme", "is_expert",
                                  "pedagogical_education"]),
    "olympiads": ("core.olympiad_result", ["year", "stage", "subject", "school_code", "participant_hash",
                                           "grade", "status"]),
    "self_evaluation": ("core.self_evaluation", ["year", "school_code", "indicator_code", "header",
                                                 "value_text", "count_value", "share_value", "flag_value",
                                                 "submitted_at"]),
    "measures": ("core.measure", ["year", "level", "unit_code", "recommendation_code", "measure",
                                  "responsible", "due_date", "done"]),
}

def table_spec(source: str) -> tuple[str, list[str]]:
    """(core or ext table, loaded columns) of a source."""
    if source in TABLES:
        return TABLES[source]
    from edu_quality.sources.registry import described

    d = described(source)
    if d is None:
        raise KeyError(f"no table for source {source!r}")
    return d.table, d.columns()


def rows_for_table(source: str, frame: pd.DataFrame, year: int,
                   task_columns: list[tuple[str, str, int]]) -> pd.DataFrame:
    table, columns = table_spec(source)
    if source == "self_evaluation":
        return _self_evaluation_rows(frame, year, task_columns)
    out = pd.DataFrame(index=frame.index)
    for name in columns:
        if name == "year":
            # Files carrying their own year were validated to match the inbox year.
            out[name] = year
        elif name == "participant_hash":
            out[name] = keyed_hash(frame["participant_code"])
        elif name == "teacher_hash":
            out[name] = keyed_hash(frame["teacher_code"])
        elif name == "task_scores":
            out[name] = _task_scores_json(frame, task_columns)
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


def _self_evaluation_rows(frame: pd.DataFrame, year: int, items: list[tuple[str, str, str]]) -> pd.DataFrame:
    """One row per school and indicator: the form is wide, the warehouse keeps it long."""
    parts = []
    for column, code, header in items:
        parts.append(pd.DataFrame({
            "year": year, "school_code": frame["school_code"], "indicator_code": code, "header": header,
            "value_text": frame[f"{column}__text"], "count_value": frame[f"{column}__count"],
            "share_value": frame[f"{column}__share"], "flag_value": frame[f"{column}__flag"],
            "submitted_at": frame["_submitted"].dt.strftime("%Y-%m-%d %H:%M:%S"),
            "row_number": frame["_row"].astype("int64")}))
    columns = TABLES["self_evaluation"][1] + ["row_number"]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
