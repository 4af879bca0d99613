"""A query's rows as a pandas frame, through `COPY (query) TO STDOUT` rather than a cursor's Python rows.

A cursor gives one Python object per cell: a `Decimal` for every number, a new `str` for every repeated code. At a
country's scale (tens of millions of school × subject × task rows) that held several GiB before pandas saw them.
Here PostgreSQL writes CSV into a temporary file, pandas parses it with each column's type taken from the query
(numbers as float64, or int64 where the column is an integer without NULLs); its parser keeps one object per
distinct string of a column. Columns of other types (dates, JSON, arrays) keep the cursor's way for the whole query,
so nothing here changes what such a frame holds.
"""
from __future__ import annotations

import tempfile

import pandas as pd
from sqlalchemy import text
from sqlalchemy.engine import Connection

# PostgreSQL type OIDs (pg_type) this reader parses itself.
INTEGERS = {20, 21, 23}            # int8, int2, int4
FLOATS = {700, 701, 1700}          # float4, float8, numeric
STRINGS = {25, 1043, 19, 18, 1042}  # text, varchar, name, char, bpchar
BOOLEAN = 16
NULL = r"\N"                       # COPY's mark for NULL (as psql's and the analysis writer's)
SPOOL_BYTES = 64 << 20             # CSV up to this size stays in memory, beyond it goes to a temporary file


def _statement(conn: Connection, sql: str, params: dict) -> str:
    """The query with its parameters bound by psycopg2 itself (quoting and arrays as the driver does them). As
    `conn.execute`: a parameter the query lacks is ignored, one it needs and was not given is an error."""
    clause = text(sql)
    needed = set(clause.compile().params)
    missing = needed - set(params)
    if missing:
        raise KeyError(f"the query needs parameters {sorted(missing)}")
    compiled = clause.bindparams(**{k: v for k, v in params.items() if k in needed}).compile(dialect=conn.dialect)
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        return cursor.mogrify(compiled.string, compiled.params).decode()
    finally:
        cursor.close()


def _typed(frame: pd.DataFrame, types: list[int]) -> pd.DataFrame:
    for name, oid in zip(frame.columns, types):
        col = frame[name]
        if oid in INTEGERS and not col.isna().any():  # parsed as float64: exact below 2**53
            frame[name] = col.astype("int64")
        elif oid == BOOLEAN:
            flags = col.map({"t": True, "f": False})
            frame[name] = flags.astype(bool) if not col.isna().any() else flags.astype(object).where(
                col.notna(), None)
    return frame


def read_frame(conn: Connection, sql: str, **params) -> pd.DataFrame:
    """The rows of `sql` (SQLAlchemy `:name` parameters) in the connection's transaction."""
    statement = _statement(conn, sql, params)
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        cursor.execute(f"select * from ({statement}) q limit 0")
        names = [d.name for d in cursor.description]
        types = [d.type_code for d in cursor.description]
        if not set(types) <= INTEGERS | FLOATS | STRINGS | {BOOLEAN} or len(set(names)) < len(names):
            return _cursor_frame(conn, sql, params)
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES, mode="w+b") as spool:
            cursor.copy_expert(f"copy ({statement}) to stdout with (format csv, null '{NULL}')", spool)
            if not spool.tell():  # no rows: the frame a cursor gives, columns of no type
                return pd.DataFrame(columns=names)
            spool.seek(0)
            # Numbers straight into float64, the rest as text. Only the NULL mark is missing: an empty string
            # stays one, no "NA" or "None" in a school's name is read as missing, and a row of one NULL is not
            # taken for a blank line. (A text that is exactly the mark would be read as missing.)
            dtypes = {n: "float64" if t in INTEGERS | FLOATS else str for n, t in zip(names, types)}
            frame = pd.read_csv(spool, header=None, names=names, dtype=dtypes, keep_default_na=False,
                                na_values=[NULL], skip_blank_lines=False, encoding=_encoding(conn))
        return _typed(frame, types)
    finally:
        cursor.close()


def _encoding(conn: Connection) -> str:
    """The Python codec of the connection's client encoding, in which COPY writes its text."""
    import psycopg2.extensions

    name = conn.connection.dbapi_connection.encoding
    return psycopg2.extensions.encodings.get(name, name)


def _cursor_frame(conn: Connection, sql: str, params: dict) -> pd.DataFrame:
    result = conn.execute(text(sql), params)
    return pd.DataFrame(result.fetchall(), columns=list(result.keys()))
