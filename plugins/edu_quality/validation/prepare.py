"""From raw text rows to the frame that Great Expectations validates.

Each contract column becomes a typed column under its warehouse name; a cell that is filled but does
not parse leaves its text in `<name>__bad` (the suites expect that column to be empty). Cross-field
rules are expressed as derived columns (`_tasks_sum`, `_scale_mark`, `_repeat`, …) that the suites
compare, so every rule lives in a reviewed JSON suite and the evidence stays in Great Expectations'
results and Data Docs.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from edu_quality.sources import cells
from edu_quality.sources import headers as hdr
from edu_quality.sources.contract import Source
from edu_quality.sources.files import FileShape

log = logging.getLogger(__name__)
_LEADING_INT = re.compile(r"^\s*(\d+)")


@dataclass
class Context:
    """What a file is validated against: the year and the references already in the warehouse."""
    year: int
    school_codes: list[str] = field(default_factory=list)
    vpr_scales: pd.DataFrame | None = None  # subject, grade, max_score, min_score_3/4/5
    today: date = field(default_factory=date.today)
    seen_keys: set = field(default_factory=set)       # duplicate detection across chunks
    first_names: dict = field(default_factory=dict)   # municipality code → first name seen


@dataclass
class Prepared:
    frame: pd.DataFrame                 # typed + derived columns, `_row`, `_raw` (dict per row)
    headers: dict[str, str]             # warehouse column name → header as written in the file
    dropped: list[str]                  # personal-data headers dropped on read
    extra_expectations: list[dict]      # per-file expectations (ВПР task columns)
    task_columns: list[tuple[str, str, int]] = field(default_factory=list)  # (column, task id, max)


def _raw_records(chunk: pd.DataFrame, shape: FileShape, keep: list[int]) -> list[dict]:
    cols = [f"c{i}" for i in keep]
    names = [shape.headers[i] for i in keep]
    values = chunk[cols].fillna("").to_numpy(dtype=object)
    return [dict(zip(names, row)) for row in values]


def prepare(chunk: pd.DataFrame, shape: FileShape, source: Source, ctx: Context) -> Prepared:
    positions = hdr.match_columns(shape.headers, source)
    personal = [i for i, h in enumerate(shape.headers) if hdr.is_personal_data(h)]
    dropped = [shape.headers[i] for i in personal]
    keep = [i for i, h in enumerate(shape.headers) if i not in personal and str(h).strip()]
    frame = pd.DataFrame({"_row": chunk["_row"].to_numpy()}, index=chunk.index)
    headers: dict[str, str] = {}
    for i, name in positions.items():
        column = source.column(name)
        values, bad = cells.parse(column.kind, chunk[f"c{i}"])
        frame[name] = values
        if column.kind != "text":
            frame[f"{name}__bad"] = chunk[f"c{i}"].where(bad)
        headers[name] = shape.headers[i]
    for column in source.columns:  # optional headers absent from the file: empty columns
        if column.name not in frame:
            frame[column.name] = pd.Series(pd.NA, index=frame.index, dtype="object")
            if column.kind != "text":
                frame[f"{column.name}__bad"] = pd.Series(pd.NA, index=frame.index, dtype="string")
            headers[column.name] = column.header
    frame["_extra"] = chunk["_extra"]
    prepared = Prepared(frame, headers, dropped, [])
    special = _SPECIAL.get(source.name)
    if special:
        special(chunk, shape, prepared, ctx)
    raw = _raw_records(chunk, shape, keep)
    if "participant_code" in frame:
        # The raw copy kept for quarantine must not carry the code in clear either.
        from edu_quality.sources.privacy import keyed_hash
        hashed = keyed_hash(frame["participant_code"]).tolist()
        header = headers["participant_code"]
        for rec, h in zip(raw, hashed):
            if header in rec:
                rec[header] = h
    frame["_raw"] = raw
    return prepared


def _repeat(frame: pd.DataFrame, keys: list[str], ctx: Context) -> pd.Series:
    """The key text for rows whose key was already seen (in this chunk or an earlier one)."""
    key = frame[keys].astype("string").fillna("").agg("|".join, axis=1)
    out = []
    for k in key.tolist():
        if k in ctx.seen_keys:
            out.append(k)
        else:
            ctx.seen_keys.add(k)
            out.append(None)
    return pd.Series(out, index=frame.index, dtype="object")


def _schools(chunk, shape, p: Prepared, ctx: Context) -> None:
    f = p.frame
    f["_repeat"] = _repeat(f, ["school_code"], ctx)
    conflicts = []
    for code, name in zip(f["municipality_code"].tolist(), f["municipality_name"].tolist()):
        if code is pd.NA or code is None or name is pd.NA or name is None:
            conflicts.append(None)
            continue
        first = ctx.first_names.setdefault(code, name)
        conflicts.append(None if first == name else f"{code}: {first} / {name}")
    f["_mo_name_conflict"] = pd.Series(conflicts, index=f.index, dtype="object")
    appointed = pd.to_datetime(f["head_appointed_on"])
    future = appointed > pd.Timestamp(ctx.today)
    f["_head_date_future"] = f["head_appointed_on"].astype("string").where(future.fillna(False))


def _vpr_scales(chunk, shape, p: Prepared, ctx: Context) -> None:
    f = p.frame
    f["_repeat"] = _repeat(f, ["year", "subject", "grade"], ctx)
    order = (f["min_score_3"] < f["min_score_4"]) & (f["min_score_4"] < f["min_score_5"]) \
        & (f["min_score_5"] <= f["max_score"]) & (f["min_score_3"] > 0)
    f["_bounds_order"] = f["min_score_3"].astype("string").where(~order.fillna(True))
    f["_year_mismatch"] = f["year"].astype("string").where((f["year"] != ctx.year).fillna(False))


def _mark_from_scale(score: pd.Series, b3: pd.Series, b4: pd.Series, b5: pd.Series) -> pd.Series:
    s = score.astype("float64")
    mark = np.where(s >= b5, 5, np.where(s >= b4, 4, np.where(s >= b3, 3, 2))).astype("float64")
    mark[np.isnan(s) | np.isnan(b3.astype("float64"))] = np.nan
    return pd.Series(mark, index=score.index)


def _vpr(chunk, shape, p: Prepared, ctx: Context) -> None:
    f = p.frame
    tasks: list[tuple[str, str, int]] = []
    sums = pd.Series(0.0, index=f.index)
    for i, h in enumerate(shape.headers):
        parsed = hdr.task_header(h)
        if parsed is None:
            continue
        task_id, max_score = parsed
        column = f"task_{len(tasks)}"
        values, bad = cells.parse_task_score(chunk[f"c{i}"])
        f[column] = values
        f[f"{column}__bad"] = chunk[f"c{i}"].where(bad)
        sums = sums + values.astype("float64")
        tasks.append((column, task_id, max_score))
        p.headers[column] = h
        p.extra_expectations += [
            {"type": "expect_column_values_to_be_null", "kwargs": {"column": f"{column}__bad"},
             "meta": {"rule": "bad_type", "column": h}},
            {"type": "expect_column_values_to_be_between",
             "kwargs": {"column": column, "min_value": 0, "max_value": max_score},
             "meta": {"rule": "task_score_out_of_range", "column": h}},
        ]
    p.task_columns = tasks
    f["_tasks_sum"] = sums if tasks else np.nan
    f["_class_grade"] = pd.to_numeric(
        f["class_label"].astype("string").str.extract(_LEADING_INT)[0], errors="coerce")
    scales = ctx.vpr_scales if ctx.vpr_scales is not None else pd.DataFrame(
        columns=["subject", "grade", "max_score", "min_score_3", "min_score_4", "min_score_5"])
    keys = pd.DataFrame({"subject": f["subject"].astype("object"),
                         "grade": f["grade"].astype("float64")})
    sc = scales.assign(grade=scales["grade"].astype("float64"), subject=scales["subject"].astype("object"))
    joined = keys.merge(sc, on=["subject", "grade"], how="left")
    joined.index = f.index
    f["_scale_max"] = joined["max_score"].astype("float64")
    f["_scale_mark"] = _mark_from_scale(f["primary_score"], joined["min_score_3"], joined["min_score_4"],
                                        joined["min_score_5"])
    no_scale = joined["max_score"].isna() & f["subject"].notna() & f["grade"].notna()
    f["_no_scale"] = (f["subject"].astype("string") + " " + f["grade"].astype("string")).where(no_scale)
    f["_repeat"] = _repeat(f, ["school_code", "subject", "grade", "participant_code"], ctx)


_SPECIAL = {"schools": _schools, "vpr_scales": _vpr_scales, "vpr": _vpr}
