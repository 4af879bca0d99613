"""Writing a year's results: delete the year's rows and COPY the new ones in, inside the caller's
transaction (analyse_year runs every table in one), so a rerun replaces and readers never see half."""
from __future__ import annotations

import csv
import io
import json
import math

import numpy as np
import pandas as pd
from sqlalchemy import text
from sqlalchemy.engine import Connection

NULL = r"\N"


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


def replace_year(conn: Connection, table: str, year: int, frame: pd.DataFrame, columns: list[str]) -> int:
    conn.execute(text(f"delete from {table} where year = :y"), {"y": year})
    if frame.empty:
        return 0
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for rec in frame[columns].itertuples(index=False, name=None):
        writer.writerow([str(year)] + [_cell(v) for v in rec])
    buffer.seek(0)
    cursor = conn.connection.dbapi_connection.cursor()
    cursor.copy_expert(f"copy {table} (year, {', '.join(columns)}) from stdin with (format csv, null '{NULL}')",
                       buffer)
    return len(frame)
