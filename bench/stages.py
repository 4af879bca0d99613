"""One benchmark stage per process, so each stage's peak memory (RSS) is its own.

Run by bench.run as `python -m bench.stages STAGE JSON-ARGS`; prints one JSON line with the result.
The environment (EDU_QUALITY_HOME, the warehouse) is the benchmark's own, set by bench.run.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path


def _vpr_columns() -> str:
    from edu_quality.warehouse.tables import table_spec

    return ", ".join(table_spec("vpr")[1] + ["load_id", "row_number"])


def generate(scale: str, year: int, inbox: str, seed: int) -> dict:
    from sample_region.scale import generate_scaled

    manifest = generate_scaled(year, inbox, scale=scale, seed=seed, progress=lambda line: print(line, file=sys.stderr))
    return {"rows": manifest["rows"], "bytes": manifest["bytes"], "files": len(manifest["files"])}


def _ingest_one(source: str, path: str, file_name: str, year: int) -> tuple[int, str, dict, tuple, int]:
    import resource

    from edu_quality.pipeline import steps

    started = time.time()
    stats = steps.ingest(source, path, file_name, year)
    return os.getpid(), file_name, stats, (started, time.time()), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def ingest(inbox: str, year: int, workers: int = 1) -> dict:
    """Every file of the year through the product's reader, Great Expectations and loader, as the annual DAG
    runs them: a source starts when the sources it references are loaded, and `workers` files load at once
    (the DAG's mapped tasks under a scheduler with that many slots)."""
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    from edu_quality.pipeline import steps
    from edu_quality.sources.contract import LOAD_ORDER

    steps.prepare_warehouse()
    per_source: dict[str, dict] = {}
    pending = {source: steps.files_of(inbox, year, source) for source in LOAD_ORDER}
    done: set[str] = {source for source, files in pending.items() if not files}
    worker_rss: dict[int, int] = {}
    with ProcessPoolExecutor(max_workers=workers) as pool:
        running: dict = {}
        while pending or running:
            for source in [s for s in pending if set(steps.references_of(s)) <= done]:
                for f in pending.pop(source):
                    running[pool.submit(_ingest_one, source, f["path"], f["file_name"], year)] = source
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                source = running.pop(future)
                pid, file_name, stats, (began, ended), rss_kib = future.result()
                took = ended - began
                worker_rss[pid] = max(worker_rss.get(pid, 0), rss_kib)
                agg = per_source.setdefault(source, {"files": 0, "rows_read": 0, "rows_loaded": 0,
                                                     "rows_quarantined": 0, "seconds": 0.0, "phases": {},
                                                     "began": began, "ended": ended})
                # Wall time of the source (first file's start to last file's end); `seconds` sums the files.
                agg["began"], agg["ended"] = min(agg["began"], began), max(agg["ended"], ended)
                agg["wall_seconds"] = round(agg["ended"] - agg["began"], 2)
                agg["files"] += 1
                agg["seconds"] += took
                for key in ("rows_read", "rows_loaded", "rows_quarantined"):
                    agg[key] += stats[key]
                for phase, sec in stats.get("seconds", {}).items():
                    agg["phases"][phase] = agg["phases"].get(phase, 0.0) + sec
                print(f"  {source} {file_name}: {stats['rows_read']} строк, {took:.1f} с "
                      f"({stats['rows_read'] / max(took, 1e-9):,.0f} строк/с)".replace(",", " "), file=sys.stderr)
                if source not in {s for s in running.values()} and source not in pending:
                    done.add(source)
    # Workers run at once: the sum of their peaks bounds the stage's memory from above.
    return {"workers": workers, "workers_rss_mib": round(sum(worker_rss.values()) / 1024), "sources": per_source}


def _psql(url: str, command: str) -> None:
    subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-q", "-c", command], check=True)


def raw_copy(year: int, work: str) -> dict:
    """The physical limit: the same ВПР rows, already in the table's shape, into a table like core.vpr_result
    with `psql \\copy` (no reading, no validation: the fastest way PostgreSQL takes them)."""
    from edu_quality.warehouse.connection import warehouse_url

    url, columns = warehouse_url(), _vpr_columns()
    path = Path(work) / "vpr_rows.csv"
    _psql(url, f"\\copy (select {columns} from core.vpr_result where year = {year}) to '{path}' csv")
    _psql(url, "create schema if not exists bench; drop table if exists bench.vpr_copy; "
               "create table bench.vpr_copy (like core.vpr_result including all)")
    started = time.perf_counter()
    _psql(url, f"\\copy bench.vpr_copy ({columns}) from '{path}' csv")
    took = time.perf_counter() - started
    rows = sum(1 for _ in path.open("rb"))
    _psql(url, "drop table bench.vpr_copy")
    path.unlink()
    return {"rows": rows, "seconds": took}


def naive(inbox: str, year: int, max_files: int) -> dict:
    """What people write instead: pandas.read_csv + DataFrame.to_sql, no validation at all."""
    import pandas as pd
    from sqlalchemy import text

    from edu_quality.warehouse.connection import engine

    eng = engine()
    with eng.begin() as conn:
        conn.execute(text("drop schema if exists bench_naive cascade; create schema bench_naive"))
    files = sorted((Path(inbox) / str(year) / "vpr").iterdir())[:max_files]
    rows = 0
    started = time.perf_counter()
    for i, path in enumerate(files):
        # Each file has its own task columns, so each gets its own table, as a person would do it.
        frame = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False)
        frame.to_sql(f"vpr_{i}", eng, schema="bench_naive", index=False, chunksize=10_000)
        rows += len(frame)
    took = time.perf_counter() - started
    with eng.begin() as conn:
        conn.execute(text("drop schema bench_naive cascade"))
    return {"rows": rows, "seconds": took, "files": len(files)}


def gx_sql(year: int) -> dict:
    """Great Expectations pushed down to SQL: the contract's rules that still apply to loaded rows, checked on
    the year's core.vpr_result inside PostgreSQL (a query asset), not in pandas."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from sqlalchemy import text

    from edu_quality.sources.contract import VPR_SUBJECTS
    from edu_quality.warehouse.connection import engine, warehouse_url

    with engine().connect() as conn:
        rows = conn.execute(text("select count(*) from core.vpr_result where year = :y"), {"y": year}).scalar_one()
    # The school reference is joined, not listed: a 40,000-code value set made GX's single scan run for
    # more than 7 minutes over a country's 30 million rows. The rows are a view, read as a table asset: for a
    # query asset GX learns the columns by running the whole query through a client-side cursor, which held the
    # country's 30 million rows in memory (15 GiB) before any rule ran; a table's columns come from the catalogue.
    with engine().begin() as conn:
        conn.execute(text("create schema if not exists bench"))
        conn.execute(text("drop view if exists bench.gx_vpr_year"))
        conn.execute(text(
            "create view bench.gx_vpr_year as select v.*, s.school_code as reference_school_code "
            "from core.vpr_result v left join core.school s on s.year = v.year and s.school_code = v.school_code "
            f"where v.year = {int(year)}"))
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False, "metric_calculations": False}
    source = context.data_sources.add_sql("warehouse", connection_string=warehouse_url())
    asset = source.add_table_asset("vpr_year", table_name="gx_vpr_year", schema_name="bench")
    batch = asset.add_batch_definition_whole_table("whole").get_batch()
    e = gx.expectations
    suite = context.suites.add(gx.ExpectationSuite(name="vpr_loaded", expectations=[
        e.ExpectColumnValuesToNotBeNull(column="school_code"),
        e.ExpectColumnValuesToNotBeNull(column="reference_school_code"),
        e.ExpectColumnValuesToBeInSet(column="subject", value_set=list(VPR_SUBJECTS)),
        e.ExpectColumnValuesToBeBetween(column="grade", min_value=4, max_value=11),
        e.ExpectColumnValuesToNotBeNull(column="participant_hash"),
        e.ExpectColumnValuesToBeBetween(column="variant", min_value=1),
        e.ExpectColumnValuesToBeBetween(column="primary_score", min_value=0),
        e.ExpectColumnValuesToBeBetween(column="mark", min_value=2, max_value=5),
        e.ExpectColumnValuesToBeBetween(column="journal_mark", min_value=2, max_value=5),
    ]))
    started = time.perf_counter()
    try:
        result = batch.validate(suite, result_format="SUMMARY")
        took = time.perf_counter() - started
    finally:
        with engine().begin() as conn:
            conn.execute(text("drop view if exists bench.gx_vpr_year"))
    return {"rows": rows, "seconds": took, "expectations": len(result.results), "success": result.success}


def indicators(year: int) -> dict:
    from edu_quality.pipeline import steps

    result = steps.compute_indicators(year)
    return {"values": result.get("values"), "indicators": result.get("indicators")}


def analysis(year: int) -> dict:
    from edu_quality.pipeline import steps

    result = steps.analyse(year)
    return {"schools": result.get("schools") if isinstance(result, dict) else None}


def documents(year: int, output: str) -> dict:
    """Recommendations, then every municipality's documents one after another in one pool of a process per
    core, then the regional report and the index: refresh_year_outputs' work (the annual DAG maps the
    municipalities as tasks instead)."""
    from sqlalchemy import text

    from edu_quality.pipeline import steps
    from edu_quality.warehouse.connection import engine

    issued = date(year + 1, 1, 15).isoformat()
    steps.choose_recommendations(year, issued)
    steps.render_municipalities(year, output, issued,
                                lambda i, n: print(f"  документы: {i}/{n} МО", file=sys.stderr))
    steps.publish(year, output, issued)
    with engine().connect() as conn:
        docs, municipalities = conn.execute(text(
            "select (select count(*) from core.document where year = :y), "
            "(select count(*) from core.municipality where year = :y)"), {"y": year}).one()
    from bench.run import pdf_engine

    return {"documents": docs, "municipalities": municipalities, "pdf_engine": pdf_engine()}


STAGES = {"generate": generate, "ingest": ingest, "raw_copy": raw_copy, "naive": naive, "gx_sql": gx_sql,
          "indicators": indicators, "analysis": analysis, "documents": documents}

if __name__ == "__main__":
    result = STAGES[sys.argv[1]](**json.loads(sys.argv[2]))
    print(json.dumps(result, ensure_ascii=False, default=str))
