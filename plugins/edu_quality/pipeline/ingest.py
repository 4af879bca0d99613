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

from edu_quality.sources import headers as hdr
from edu_quality.sources.contract import RULE_TEXT_RU
from edu_quality.sources.files import FileRejected, inspect
from edu_quality.sources.registry import description, source_by_name
from edu_quality.validation.chunks import describe_shape, validate_chunks
from edu_quality.validation.frame import Context
from edu_quality.validation.gx_runner import SuiteRunner
from edu_quality.validation.verdict import empty_bad_cells, judge
from edu_quality.warehouse.load import FileLoad, LoadStats, issues_frame, quarantine_frame, record_rejected
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
        ctx.municipality_codes = [r[0] for r in conn.execute(
            text("select distinct municipality_code from core.school where year = :y order by 1"), {"y": year})]
        if "schools" in description(source).references:
            ctx.quarantined_schools = _quarantined_schools(conn, year)
        for ref in description(source).references:
            r = description(ref)
            if r.context:
                ctx.references[ref] = pd.read_sql(text(
                    f"select {', '.join(r.context)} from {r.table} where year = :y"), conn, params={"y": year})
    return ctx


def _quarantined_schools(conn, year: int) -> dict[str, str]:
    """Codes of the schools whose row of the year's reference is in quarantine → its reason."""
    header = hdr.normalize(description("schools").column_spec("school_code").header)
    found = {}
    for raw, reason in conn.execute(text(
            "select q.raw, q.reason from core.quarantine q join core.load_log l using (load_id) "
            "where l.year = :y and l.source = 'schools' and l.status = 'loaded' order by q.row_number"), {"y": year}):
        code = next((v for k, v in (raw or {}).items() if hdr.normalize(k) == header and v), None)
        if code:
            found.setdefault(code.strip(), reason)
    return found


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
    # Two files of one content (a copy under another name) are loaded one after the other, so the second
    # sees the first and is refused.
    digest = sha256_of(path)
    with advisory_lock(engine, "ingest", year, source_name, file_name), advisory_lock(engine, "content", year, digest):
        return _ingest_file(engine, year, source_name, path, file_name, runner, digest)


def _ingest_file(engine: Engine, year: int, source_name: str, path: Path, file_name: str,
                 runner: SuiteRunner | None, digest: str) -> LoadStats:
    source = source_by_name(source_name)
    stats = LoadStats(year, source_name, file_name, digest)
    refs = current_reference_loads(engine, year, source_name)
    previous = _previous(engine, year, source_name, file_name)
    if previous and previous["sha256"] == stats.sha256 and list(previous["reference_loads"]) == refs:
        stats.status = "skipped"
        stats.load_id = previous["load_id"]
        stats.rows_read, stats.rows_loaded = previous["rows_read"], previous["rows_loaded"]
        stats.rows_quarantined, stats.message = previous["rows_quarantined"], previous["message"]
        log.info("%s: unchanged since load %s, skipped", file_name, previous["load_id"])
        return stats
    twin = same_content_loaded(engine, year, stats.sha256, source_name, file_name)
    if twin:
        return _rejected(engine, stats, refs, f"то же содержимое уже загружено как «{twin}» — файл не учитывается "
                                              "второй раз", f"same content already loaded as {twin}")
    try:
        shape = inspect(path, source)
    except FileRejected as exc:
        return _rejected(engine, stats, refs, exc.reason_ru, exc.reason_en)

    described = description(source_name)
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
            verdict = judge(by_row, described)
            good = frame[~frame["_row"].isin(list(verdict.quarantined))].copy()
            empty_bad_cells(good, verdict.issues, prepared.headers)
            load.add(rows_for_table(source_name, good, year, prepared.task_columns),
                     quarantine_frame(verdict.quarantined, prepared.raw_of(verdict.quarantined), RULE_TEXT_RU),
                     kept=good, issues=issues_frame(verdict.issues, RULE_TEXT_RU))
            stats.data_issues += sum(len(v) for v in verdict.issues.values())
            stats.rows_read += len(frame)
            stats.rows_loaded += len(good)
            stats.rows_quarantined += len(frame) - len(good)
            stats.timed("load", started)
            log.info("%s: %d rows read, %d loaded, %d quarantined so far", file_name, stats.rows_read,
                     stats.rows_loaded, stats.rows_quarantined)
        stats.message = describe_shape(shape)
        return _finish(load, stats)
    except FileRejected as exc:  # unreadable past its header: nothing of it is kept, and the year goes on
        load.close()
        stats.rows_read = stats.rows_loaded = stats.rows_quarantined = stats.data_issues = 0
        return _rejected(engine, stats, refs, exc.reason_ru, exc.reason_en)
    except BaseException:
        load.close()
        raise


def _finish(load: FileLoad, stats: LoadStats) -> LoadStats:
    """The year's key check, timed apart (it waits for another file of the source to commit, and scans the
    year), then the commit."""
    started = time.perf_counter()
    load.check_keys()
    stats.timed("keys", started)
    started = time.perf_counter()
    load.commit()
    stats.timed("load", started)
    return stats


def _rejected(engine: Engine, stats: LoadStats, refs: list[int], reason_ru: str, reason_en: str) -> LoadStats:
    stats.status, stats.message = "rejected", f"Файл {stats.file_name} отклонён: {reason_ru}"
    log.error("%s rejected: %s", stats.file_name, reason_en)
    return record_rejected(engine, stats, refs)


def same_content_loaded(engine: Engine, year: int, sha256: str, source: str, file_name: str) -> str | None:
    """The name under which the year already holds a file of exactly this content (a copy under another name
    would count every row twice), or None."""
    with engine.connect() as conn:
        return conn.execute(text(
            "select file_name from core.load_log where year = :y and sha256 = :h and status = 'loaded' "
            "and not (source = :s and file_name = :f) order by load_id limit 1"),
            {"y": year, "h": sha256, "s": source, "f": file_name}).scalar()
