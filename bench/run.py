"""`make bench` (region) / `make bench SCALE=national`: every stage of a year on the same files, side by side
with the physical limit (`psql \\copy` of the same rows) and the naive approach (`read_csv` + `to_sql`).

Each stage runs in its own process in the benchmark's own home (its own embedded PostgreSQL, wiped first),
so its time and peak memory (RSS) are its own. Results go to docs/benchmarks/<scale>.json and the Markdown
table in docs/benchmarks.md (which shows region and national side by side when both were run).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
RESULTS = DOCS / "benchmarks"
TARGETS = {"copy_share": 0.5, "naive_times": 10.0, "national_seconds": 20 * 60, "national_rss_mib": 2048,
           "region_seconds": 5 * 60, "region_documents_seconds": 120}


def run_stage(name: str, env: dict, **kwargs) -> dict:
    """Run one stage in a child process; its wall time and peak RSS come from the kernel (wait4)."""
    print(f"▶ {name}", flush=True)
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "bench.stages", name, json.dumps(kwargs)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, text=True)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"stage {name} failed with exit code {proc.returncode}")
    result = json.loads(out.strip().splitlines()[-1])
    rss_mib = usage.ru_maxrss / 1024
    print(f"  {name}: {seconds:.1f} s, peak RSS {rss_mib:.0f} MiB", flush=True)
    # The machine's 1-minute load average as the stage ends: about the cores' count when the stage had them to
    # itself, more when something else ran beside it.
    return {"seconds": round(seconds, 2), "rss_mib": round(rss_mib), "result": result,
            "load_average_end": round(os.getloadavg()[0], 2),
            # The CPU the stage and its workers used: the work done, which the wall time shows only as fast as
            # this shared host ran then (the same documents stage of the same code took 123 s, then 160 s).
            "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1)}


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem_kib = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal"))
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": round(mem_kib / 1024 ** 2, 1),
            "python": platform.python_version(), "os": platform.platform(),
            "load_average_before": round(os.getloadavg()[0], 2), "pdf_engine": pdf_engine()}


def pdf_engine() -> str:
    """What lays out the documents' PDFs (documents/pdf.py), with its version."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        accel = f", rl_accel {version('rl_accel')}"
    except PackageNotFoundError:  # ReportLab then measures text in pure Python, slower
        accel = " без rl_accel"
    return f"ReportLab {version('reportlab')}{accel}"


def bench_env(home: Path) -> dict:
    env = dict(os.environ)
    env.update({"EDU_QUALITY_HOME": str(home), "GX_ANALYTICS_ENABLED": "false",
                "EDU_QUALITY_HASH_KEY": env.get("EDU_QUALITY_HASH_KEY", "benchmark-key-not-a-secret"),
                "PYTHONPATH": os.pathsep.join([str(ROOT / "plugins"), str(ROOT)])})
    env.pop("WAREHOUSE_URL", None) if not env.get("EDU_QUALITY_BENCH_WAREHOUSE_URL") else \
        env.update({"WAREHOUSE_URL": env["EDU_QUALITY_BENCH_WAREHOUSE_URL"]})
    return env


def fresh_home(home: Path, env: dict) -> None:
    if home.exists():
        subprocess.run([sys.executable, "-m", "edu_quality", "db", "stop"], cwd=ROOT, env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(home)
    home.mkdir(parents=True)


def postgres_version(env: dict) -> str:
    out = subprocess.run([sys.executable, "-c", "from sqlalchemy import text\n"
                          "from edu_quality.warehouse.connection import engine\n"
                          "print(engine().connect().execute(text('show server_version')).scalar())"],
                         cwd=ROOT, env=env, capture_output=True, text=True)
    return out.stdout.strip() or "?"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="make bench", description=__doc__)
    p.add_argument("--scale", choices=("small", "region", "national"), default="region")
    p.add_argument("--year", type=int, default=2025)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--naive-files", type=int, default=None,
                   help="ВПР files for the naive approach (default: all at region scale, 1 at national)")
    p.add_argument("--skip-documents", action="store_true")
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                   help="files loaded at once, as the DAG's mapped ingest tasks (default: one per core)")
    p.add_argument("--work", default=str(ROOT / ".edu_quality" / "bench"))
    p.add_argument("--resume", action="store_true",
                   help="continue the recorded run of this scale (same home and warehouse) with the stages it "
                        "has not recorded, e.g. after a stage failed and was fixed; the page says so")
    args = p.parse_args(argv)

    work = Path(args.work)
    home, inbox, output = work / "home", work / f"inbox-{args.scale}", work / f"output-{args.scale}"
    env = bench_env(home)
    command = "make bench" + ("" if args.scale == "region" else f" SCALE={args.scale}")
    started = time.perf_counter()
    recorded = RESULTS / f"{args.scale}.json"
    if args.resume:
        if not recorded.exists():
            raise SystemExit(f"nothing to resume: {recorded} does not exist")
        result = json.loads(recorded.read_text(encoding="utf-8"))
        result.setdefault("resumed", []).append(datetime.now().isoformat(timespec="minutes"))
        return _run_stages(args, env, inbox, work, output, result, started)
    load_before = round(os.getloadavg()[0], 2)  # before the run does anything, generation included
    fresh_home(home, env)
    shutil.rmtree(output, ignore_errors=True)
    stages: dict[str, dict] = {}

    manifest = inbox / str(args.year) / "_scale.json"
    if manifest.exists() and json.loads(manifest.read_text())["seed"] == args.seed:
        generated = json.loads(manifest.read_text())
        stages["generate"] = {"seconds": generated["seconds"], "rss_mib": None, "reused": True,
                              "result": {"rows": generated["rows"], "bytes": generated["bytes"]}}
    else:
        shutil.rmtree(inbox, ignore_errors=True)
        stages["generate"] = run_stage("generate", env, scale=args.scale, year=args.year, inbox=str(inbox),
                                       seed=args.seed)
    result = {"scale": args.scale, "year": args.year, "seed": args.seed, "command": command,
              "date": datetime.now().isoformat(timespec="minutes"),
              "machine": {**machine(), "load_average_before": load_before}, "postgres": "?",
              "stages": stages, "complete": False}
    return _run_stages(args, env, inbox, work, output, result, started)


def _run_stages(args, env: dict, inbox: Path, work: Path, output: Path, result: dict, started: float) -> int:
    stages = result["stages"]
    elapsed_before = result.get("total_seconds", 0.0) if result.get("resumed") else 0.0

    def record(name: str, **kwargs) -> None:
        """Run a stage and save the run so far: a national run takes an hour, and what it measured before an
        interruption stays recorded (the page marks the run incomplete and the stages not reached)."""
        if name in stages:  # resumed: measured already
            return
        stages[name] = run_stage(name, env, **kwargs)
        if result["postgres"] == "?":
            result["postgres"] = postgres_version(env)
        result["total_seconds"] = round(elapsed_before + time.perf_counter() - started, 1)
        save(result)

    # The year's own work first (the targets), then the comparisons on the loaded rows.
    record("ingest", inbox=str(inbox), year=args.year, workers=args.workers)
    record("indicators", year=args.year)
    record("analysis", year=args.year)
    record("gx_sql", year=args.year)
    record("raw_copy", year=args.year, work=str(work))
    naive_files = args.naive_files if args.naive_files is not None else (1 if args.scale == "national" else 100)
    record("naive", inbox=str(inbox), year=args.year, max_files=naive_files)
    # A country's documents (40,000 schools' PDFs) are not part of the national target: region measures them.
    if not args.skip_documents and args.scale != "national":
        if "documents" not in stages:  # a resumed run's old files would be kept as unchanged, not written
            shutil.rmtree(output, ignore_errors=True)
        record("documents", year=args.year, output=str(output))
    result["complete"] = True
    subprocess.run([sys.executable, "-m", "edu_quality", "db", "stop"], cwd=ROOT, env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    print(save(result))
    return 0


def save(result: dict) -> str:
    """docs/benchmarks/<scale>.json, then docs/benchmarks.md from every recorded run; returns the page."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{result['scale']}.json").write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n",
                                                     encoding="utf-8")
    from bench.report import write_report

    return write_report(RESULTS, DOCS / "benchmarks.md")


if __name__ == "__main__":
    raise SystemExit(main())
