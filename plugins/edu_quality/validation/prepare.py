"""From raw text rows to the frame that Great Expectations validates.

Each contract column becomes a typed column under its warehouse name; a cell that is filled but does
not parse leaves its text in `<name>__bad` (the suites expect that column to be empty). Cross-field
rules are expressed as derived columns (`_tasks_sum`, `_scale_mark`, `_repeat`, …) that the suites
compare (named rules, validation/rules.py), so every rule is a check of the source's description and the
evidence stays in Great Expectations' results and Data Docs.
"""
from __future__ import annotations

import logging

import pandas as pd

from edu_quality.sources import cells
from edu_quality.sources import headers as hdr
from edu_quality.sources.files import FileShape
from edu_quality.sources.model import Source
from edu_quality.sources.registry import description
from edu_quality.validation.frame import Context, Prepared, RawCells, repeated_keys, school_code_findings
from edu_quality.validation.rules import rule_function

log = logging.getLogger(__name__)


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
    described = description(source.name)
    # The description's named rules add the derived columns its checks read (validation/rules.py).
    for name in described.prepare:
        rule_function(name)(chunk, shape, prepared, ctx)
    if "_repeat" not in frame and described.keys():
        frame["_repeat"] = repeated_keys(frame, list(described.keys()), ctx)
    if "_unknown_school" not in frame and "schools" in described.references and "school_code" in frame:
        school_code_findings(frame, frame["school_code"], ctx)
    # The raw copy kept for quarantine must not carry the participant code in clear either.
    codes = frame["participant_code"] if "participant_code" in frame else None
    prepared.raw = RawCells(chunk, [shape.headers[i] for i in keep], [f"c{i}" for i in keep],
                            headers.get("participant_code") if codes is not None else None, codes)
    return prepared
