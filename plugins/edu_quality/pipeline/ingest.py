"""Ingesting one file: read → validate (Great Expectations) → load (COPY), with every row read
accounted for as loaded or quarantined, and a rerun of an unchanged file skipped."""
from __future__ import annotations

import hashlib
import logging
import time
from pathlib import Path

import pandas as pd
from sqlalchemy import text
from sqlalchemy.engine import Engine

from edu_quality.sources.contract import RULE_TEXT_RU
from edu_quality.sources.files import FileRejected, inspect
from edu_quality.sources.registry import description, source_by_name
from edu_quality.validation.chunks import describe_shape, validate_chunks
from edu_quality.validation.frame import Context
from edu_quality.validation.gx_runner import SuiteRunner
from edu_quality.warehouse.load import FileLoad, LoadStats, quarantine_frame, record_rejected
from edu_quality.warehouse.locks import advisory_lock
from edu_quality.warehouse.tables import rows_for_table

log = logging.getLogger(__name__)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def current_reference_loads(engine: Engine, year: int, source: str) -> list[int]:
    refs = description(source).references
    if not refs:
        return []
    with engine.connect() as conn:
        return [r[0] for r in conn.execute(text(
            "select load_id from core.load_log where year = :y and source = any(:s) and status = 'loaded' "
            "order by load_id"), {"y": year, "s": list(refs)})]


def taken_keys(engine: Engine, year: int, source: str, file_name: str) -> set[str]:
    """Keys of the source that the year's other files already loaded (`key_across_files`), built as the
    validators build them: a row repeating one is quarantined."""
    d = description(source)
    if not d.key_across_files:
        return set()
    key = " || '|' || ".join(f"s.{k}" for k in d.keys())
    with engine.connect() as conn:
        return {r[0] for r in conn.execute(text(
            f"select distinct {key} from {d.table} s join core.load_log l on l.load_id = s.load_id "
            "where s.year = :y and not (l.source = :s and l.file_name = :f)"),
            {"y": year, "s": source, "f": file_name})}


def _context(engine: Engine, year: int, source: str) -> Context:
    """The year's school codes and the rows of the references this source's rules read."""
    ctx = Context(year=year)
    with engine.connect() as conn:
        ctx.school_codes = [r[0] for r in conn.execute(
            text("select school_code from core.school where year = :y order by 1"), {"y": year})]
        for ref in description(source).references:
            r = description(ref)
            if r.context:
                ctx.references[ref] = pd.read_sql(text(
                    f"select {', '.join(r.context)} from {r.table} where year = :y"), conn, params={"y": year})
    return ctx


def _previous(engine: Engine, year: int, source: str, file_name: str) -> dict | None:
    with engine.connect() as conn:
        row = conn.execute(text(
            "select load_id, sha256, status, reference_loads, rows_read, rows_loaded, rows_quarantined, "
            "message from core.load_log where year = :y and source = :s and file_name = :f "
            "and status in ('loaded', 'rejected') order by load_id desc limit 1"),
            {"y": year, "s": source, "f": file_name}).mappings().first()
    return dict(row) if row else None


def ingest_file(engine: Engine, year: int, source_name: str, path: Path, file_name: str,
                runner: SuiteRunner | None = None) -> LoadStats:
    # The skip-or-replace decision and the load must not interleave with another run's load of the
    # same file (the annual DAG and the per-source DAG may both pick it up).
    with advisory_lock(engine, "ingest", year, source_name, file_name):
        return _ingest_file(engine, year, source_name, path, file_name, runner)


def _ingest_file(engine: Engine, year: int, source_name: str, path: Path, file_name: str,
                 runner: SuiteRunner | None) -> LoadStats:
    source = source_by_name(source_name)
    stats = LoadStats(year, source_name, file_name, sha256_of(path))
    refs = current_reference_loads(engine, year, source_name)
    previous = _previous(engine, year, source_name, file_name)
    if previous and previous["sha256"] == stats.sha256 and list(previous["reference_loads"]) == refs:
        stats.status = "skipped"
        stats.load_id = previous["load_id"]
        stats.rows_read, stats.rows_loaded = previous["rows_read"], previous["rows_loaded"]
        stats.rows_quarantined, stats.message = previous["rows_quarantined"], previous["message"]
        log.info("%s: unchanged since load %s, skipped", file_name, previous["load_id"])
        return stats
    try:
        shape = inspect(path, source)
    except FileRejected as exc:
        stats.status, stats.message = "rejected", f"Файл {file_name} отклонён: {exc.reason_ru}"
        log.error("%s rejected: %s", file_name, exc.reason_en)
        return record_rejected(engine, stats, refs)

    ctx = _context(engine, year, source_name)
    ctx.remember(sorted(taken_keys(engine, year, source_name, file_name)))
    load = FileLoad(engine, stats, refs)
    try:
        chunks = validate_chunks(shape, source_name, ctx, runner or SuiteRunner(data_docs=False), stats)
        for prepared, by_row in chunks:
            started = time.perf_counter()
            if prepared.dropped and not stats.dropped_columns:
                stats.dropped_columns = prepared.dropped
                log.warning("%s: personal-data columns dropped on read: %s", file_name,
                            ", ".join(prepared.dropped))
            frame = prepared.frame
            good = frame[~frame["_row"].isin(list(by_row))]
            load.add(rows_for_table(source_name, good, year, prepared.task_columns),
                     quarantine_frame(by_row, prepared.raw_of(by_row), RULE_TEXT_RU), kept=good)
            stats.rows_read += len(frame)
            stats.rows_loaded += len(good)
            stats.rows_quarantined += len(frame) - len(good)
            stats.timed("load", started)
            log.info("%s: %d rows read, %d loaded, %d quarantined so far", file_name, stats.rows_read,
                     stats.rows_loaded, stats.rows_quarantined)
        stats.message = describe_shape(shape)
        started = time.perf_counter()
        load.commit()
        stats.timed("load", started)
        return stats
    except BaseException:
        load.close()
        raise
