"""Loading one file: COPY straight into its core table, in one transaction.

The load_log row, the core rows and the quarantine rows of a file are written together or not at
all, so a crash mid-load leaves nothing half-loaded and a rerun simply loads the file again.
"""
from __future__ import annotations

import csv
import io
import json
import time
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import text
from sqlalchemy.engine import Engine

from edu_quality.sources.registry import description
from edu_quality.validation.verdict import failure_text
from edu_quality.warehouse.tables import SIDE_TABLES, table_spec


@dataclass
class LoadStats:
    year: int
    source: str
    file_name: str
    sha256: str
    status: str = "loaded"     # loaded | rejected | skipped
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    data_issues: int = 0       # bad cells of kept reference rows, loaded empty (core.data_issue)
    message: str | None = None
    load_id: int | None = None
    dropped_columns: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)   # read / prepare / validate / load

    def timed(self, phase: str, started: float) -> None:
        self.seconds[phase] = round(self.seconds.get(phase, 0.0) + time.perf_counter() - started, 3)

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def _text_columns(frame: pd.DataFrame) -> list[list]:
    """Each column as a list of str (None for missing): numbers as pandas prints them (`3`, not `3.0`, for
    integer columns)."""
    out = []
    for _, col in frame.items():
        if col.dtype.kind in "iufb" or isinstance(col.dtype, (pd.Int64Dtype, pd.Float64Dtype, pd.BooleanDtype)):
            col = col.astype("string")
        out.append(col.astype(object).where(col.notna(), None).tolist())
    return out


def _copy(cursor, table: str, frame: pd.DataFrame) -> None:
    if frame.empty:
        return
    # csv.writer over columns is several times faster than DataFrame.to_csv; an empty field is NULL to COPY.
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(zip(*_text_columns(frame)))
    buffer.seek(0)
    cols = ", ".join(frame.columns)
    cursor.copy_expert(f"copy {table} ({cols}) from stdin with (format csv)", buffer)


# The plans the key check turns off for its one statement (see _quarantine_keys_other_files_hold); the test of
# its plan (tests/warehouse/test_key_check.py) explains it with the same settings.
KEY_CHECK_PLANS_OFF = ("enable_seqscan", "enable_bitmapscan", "enable_nestloop")


def repeated_rows_sql(table: str, key: list[str]) -> str:
    """The rows of load %(load)s whose key a row of another loaded file of the year holds, with the first such
    file. Each row is looked up in the table's index on (year, key) (migration 022; an `ext` table gets it with
    the table), so the check costs the file's rows, not the year's: a join let the planner read the whole
    year's table instead, once per file."""
    match = " and ".join(f"o.{k} = m.{k}" for k in key)
    return (f"select row_number, first_file from (select m.row_number, (select min(l.file_name) from {table} o "
            f"join core.load_log l on l.load_id = o.load_id and l.status = 'loaded' "
            f"where o.year = m.year and {match} and o.load_id <> m.load_id) as first_file "
            f"from (select row_number, year, load_id, {', '.join(key)} from {table} where load_id = %(load)s) m) found "
            f"where first_file is not null")


class FileLoad:
    """An open load of one file: call add() per chunk, then commit(); close() rolls back."""

    def __init__(self, engine: Engine, stats: LoadStats, reference_loads: list[int]):
        self.stats = stats
        self.table, self.columns = table_spec(stats.source)
        self.raw = engine.raw_connection()
        self.cur = self.raw.cursor()
        self.description = description(stats.source)
        ddl = self.description.ddl()
        if ddl:  # a source loading into `ext` gets its table on first load
            self.cur.execute(ddl)
        self.cur.execute(
            "insert into core.load_log (year, source, file_name, sha256, status, reference_loads) "
            "values (%s, %s, %s, %s, 'loaded', %s) returning load_id",
            (stats.year, stats.source, stats.file_name, stats.sha256, reference_loads))
        stats.load_id = self.cur.fetchone()[0]
        self._replace_earlier()
        self.side: dict = {}  # rows for the description's side table (schools: municipality code → name)
        self._keys_checked = False

    def _replace_earlier(self) -> None:
        """Earlier versions of this file: their rows go (first, so the new rows' keys are free and COPY goes
        straight into core without a staging table), their log rows stay. Invisible until commit."""
        s = self.stats
        self.cur.execute(
            "select load_id from core.load_log where year = %s and source = %s and file_name = %s "
            "and status = 'loaded' and load_id <> %s", (s.year, s.source, s.file_name, s.load_id))
        old = [r[0] for r in self.cur.fetchall()]
        if old:
            self.cur.execute(f"delete from {self.table} where load_id = any(%s)", (old,))
            if self.description.side_table:
                self.cur.execute(f"delete from {self.description.side_table['table']} where load_id = any(%s)", (old,))
            self.cur.execute("update core.load_log set status = 'replaced' where load_id = any(%s)", (old,))

    def add(self, rows: pd.DataFrame, quarantine: pd.DataFrame, kept: pd.DataFrame | None = None,
            issues: pd.DataFrame | None = None) -> None:
        """One chunk: its table rows, its quarantine rows, (for a side table) its kept prepared rows, and the
        bad cells of kept rows."""
        side = self.description.side_table
        if side and kept is not None:
            SIDE_TABLES[side["rule"]][0](kept, self.side)
        rows = rows.assign(load_id=self.stats.load_id)
        _copy(self.cur, self.table, rows)
        if not quarantine.empty:
            _copy(self.cur, "core.quarantine", quarantine.assign(load_id=self.stats.load_id)[
                ["load_id", "row_number", "column_name", "rules", "reason", "raw"]])
        if issues is not None and not issues.empty:
            _copy(self.cur, "core.data_issue", issues.assign(load_id=self.stats.load_id)[
                ["load_id", "row_number", "column_name", "rules", "reason"]])

    def check_keys(self) -> None:
        """Once, after the last chunk: the rows whose key another file of the year holds go to quarantine."""
        if self.description.key_in_table and not self._keys_checked:
            self._quarantine_keys_other_files_hold()
        self._keys_checked = True

    def commit(self) -> LoadStats:
        s = self.stats
        self.check_keys()
        if self.side:
            sql, params = SIDE_TABLES[self.description.side_table["rule"]][1](s.year, s.load_id, self.side)
            self.cur.executemany(sql, params)
        self.cur.execute(
            "update core.load_log set rows_read = %s, rows_loaded = %s, rows_quarantined = %s, "
            "message = %s, dropped_columns = %s, loaded_at = now() where load_id = %s",
            (s.rows_read, s.rows_loaded, s.rows_quarantined, s.message, s.dropped_columns, s.load_id))
        __import__("edu_quality.faults").faults.failpoint("load.before_commit")  # tests/reliability
        self.raw.commit()
        self.close()
        return s

    def _quarantine_keys_other_files_hold(self) -> None:
        """A row whose key another file of the year already holds (the same work exported twice) leaves the table
        for quarantine, naming that file. Checked in the table, after COPY: a big source's keys are not held in
        memory. One file of the source at a time reaches this point, so two files loading at once see each
        other (the lock ends with the transaction)."""
        s, d, table = self.stats, self.description, self.description.table
        key = d.stored_keys()
        header = d.column_spec(d.keys()[-1]).header
        self.cur.execute("select pg_advisory_xact_lock(hashtextextended(%s, 0))", (f"keys|{s.year}|{s.source}",))
        # The planner's statistics predate this file's rows (COPY does not update them), so it takes the file
        # for one row: the lookups must go through the key index, not read the table, and the repeats are found
        # once (materialized) and deleted by a hash join — inlined into a nested loop, every row of the file
        # was looked up once per row of the file (minutes for 4 000 rows).
        self.cur.execute("; ".join(f"set local {setting} = off" for setting in KEY_CHECK_PLANS_OFF))
        self.cur.execute(
            f"with repeated as materialized ({repeated_rows_sql(table, key)}), "
            f"gone as (delete from {table} t using repeated r where t.load_id = %(load)s "
            f"and t.row_number = r.row_number returning t.*, r.first_file) "
            f"insert into core.quarantine (load_id, row_number, column_name, rules, reason, raw) "
            f"select %(load)s, row_number, %(header)s, '{{duplicate_key}}', %(reason)s || first_file || '»', "
            f"to_jsonb(gone) - 'load_id' - 'first_file' from gone",
            {"load": s.load_id, "header": header,
             "reason": f"«{header}»: повтор ключа (в этом файле или в другом файле того же года): эта же запись уже "
                       "загружена из файла «"})
        moved = self.cur.rowcount
        self.cur.execute("; ".join(f"reset {setting}" for setting in KEY_CHECK_PLANS_OFF))
        s.rows_loaded -= moved
        s.rows_quarantined += moved

    def close(self) -> None:
        try:
            self.raw.rollback()
        finally:
            self.raw.close()


def record_rejected(engine: Engine, stats: LoadStats, reference_loads: list[int]) -> LoadStats:
    with engine.begin() as conn:
        stats.load_id = conn.execute(text(
            "insert into core.load_log (year, source, file_name, sha256, status, message, rows_read, "
            "reference_loads) values (:y, :s, :f, :h, 'rejected', :m, 0, :r) returning load_id"),
            {"y": stats.year, "s": stats.source, "f": stats.file_name, "h": stats.sha256,
             "m": stats.message, "r": reference_loads}).scalar_one()
    return stats


def quarantine_frame(failures_by_row: dict, raw_by_row: dict[int, dict], rule_text: dict) -> pd.DataFrame:
    """One quarantine row per bad row: where, which rules, the reason in Russian, the raw cells."""
    records = []
    for number in sorted(failures_by_row):
        items, raw = failures_by_row[number], raw_by_row.get(number, {})
        records.append({
            "row_number": number,
            "column_name": ", ".join(dict.fromkeys(f.column for f in items)),
            "rules": "{" + ",".join(dict.fromkeys(f.rule for f in items)) + "}",
            "reason": "; ".join(failure_text(f, rule_text) for f in items),
            "raw": json.dumps(raw, ensure_ascii=False),
        })
    return pd.DataFrame.from_records(
        records, columns=["row_number", "column_name", "rules", "reason", "raw"])


def issues_frame(issues_by_row: dict, rule_text: dict) -> pd.DataFrame:
    """One row per bad cell of a kept row: where, which rules, the reason in Russian."""
    records = []
    for number in sorted(issues_by_row):
        by_column: dict[str, list] = {}
        for f in issues_by_row[number]:
            by_column.setdefault(f.column, []).append(f)
        for column, items in by_column.items():
            records.append({"row_number": number, "column_name": column,
                            "rules": "{" + ",".join(dict.fromkeys(f.rule for f in items)) + "}",
                            "reason": "; ".join(failure_text(f, rule_text) for f in items)
                                      + " — значение не загружено, строка сохранена"})
    return pd.DataFrame.from_records(records, columns=["row_number", "column_name", "rules", "reason"])


def withdraw(engine: Engine, year: int, present: list[tuple[str, str]]) -> list[str]:
    """Delete the rows of loaded files of `year` that are not in `present` (source, file_name)."""
    keep = {f"{s}\x00{f}" for s, f in present}
    withdrawn = []
    with engine.begin() as conn:
        rows = conn.execute(text(
            "select load_id, source, file_name from core.load_log where year = :y "
            "and status in ('loaded', 'rejected')"), {"y": year}).all()
        for load_id, source, file_name in rows:
            if f"{source}\x00{file_name}" in keep:
                continue
            d = description(source)
            conn.execute(text(f"delete from {d.table} where load_id = :id"), {"id": load_id})
            if d.side_table:
                conn.execute(text(f"delete from {d.side_table['table']} where load_id = :id"), {"id": load_id})
            conn.execute(text("update core.load_log set status = 'withdrawn' where load_id = :id"), {"id": load_id})
            withdrawn.append(file_name)
    return sorted(set(withdrawn))


def record_inbox(engine: Engine, year: int, files: list) -> None:
    """The year's inbox as the last whole-year run saw it (core.inbox_file): every file, read or why not."""
    with engine.begin() as conn:
        conn.execute(text("delete from core.inbox_file where year = :y"), {"y": year})
        if files:
            conn.execute(text("insert into core.inbox_file (year, file_name, source, status, reason_ru) "
                              "values (:y, :f, :s, :st, :r)"),
                         [{"y": year, "f": f.file_name, "s": f.source, "st": f.status, "r": f.reason_ru}
                          for f in files])
