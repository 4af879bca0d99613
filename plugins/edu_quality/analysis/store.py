"""Writing a year's results: delete the year's rows and COPY the new ones in, inside the caller's
transaction (analyse_year runs every table in one), so a rerun replaces and readers never see half."""
from __future__ import annotations

import csv
import io
import itertools
import json
import math

import numpy as np
import pandas as pd
from sqlalchemy import text
from sqlalchemy.engine import Connection

NULL = r"\N"
CHUNK_ROWS = 20_000


def _cell(v) -> str:
    if v is None or v is pd.NA or v is pd.NaT:
        return NULL
    if isinstance(v, dict):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, (list, tuple)):
        # A text[] literal; the elements are plain codes (letters, digits, underscores).
        return "{" + ",".join(str(x) for x in v) + "}"
    if isinstance(v, (bool, np.bool_)):
        return "true" if v else "false"
    if isinstance(v, (np.integer, int)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        if math.isnan(v) or math.isinf(v):
            return NULL
        # pandas turns an integer column with gaps into floats: 3.0 goes back as 3 (numeric takes it too).
        return str(int(v)) if float(v).is_integer() else repr(float(v))
    return str(v)


def _float_cell(v: float) -> str:
    """_cell of a Python float."""
    if math.isnan(v) or math.isinf(v):
        return NULL
    return str(int(v)) if v.is_integer() else repr(v)


def _column(values: pd.Series) -> list[str]:
    """A column's cells as _cell writes them; a numpy column's type is known once for all its cells (the
    two million cells of a region's year went through _cell's chain of type tests one by one)."""
    if isinstance(values.dtype, np.dtype):
        kind = values.dtype.kind
        if kind == "f":
            return [_float_cell(v) for v in values.tolist()]
        if kind in "iu":
            return [str(v) for v in values.tolist()]
        if kind == "b":
            return ["true" if v else "false" for v in values.tolist()]
    return [_cell(v) for v in values]


def replace_year(conn: Connection, table: str, year: int, frame: pd.DataFrame, columns: list[str]) -> int:
    conn.execute(text(f"delete from {table} where year = :y"), {"y": year})
    if frame.empty:
        return 0
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    selected = frame[columns]
    for start in range(0, len(selected), CHUNK_ROWS):  # the text of a chunk of rows at a time, not the year's
        part = selected.iloc[start:start + CHUNK_ROWS]
        cells = [_column(part.iloc[:, k]) for k in range(len(columns))]
        writer.writerows(zip(itertools.repeat(str(year), len(part)), *cells))
    buffer.seek(0)
    cursor = conn.connection.dbapi_connection.cursor()
    cursor.copy_expert(f"copy {table} (year, {', '.join(columns)}) from stdin with (format csv, null '{NULL}')",
                       buffer)
    return len(frame)
