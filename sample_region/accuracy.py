"""`edu-quality accuracy`: how well the objectivity analysis finds what was planted, measured on generated
regions loaded through the real readers, suites and loader, each in a database of its own.

Each region is generated for two years (the analysis needs last year's ВПР for the jump and the same
cohort's ОГЭ). Every fifth region is clean: no school inflates anything, so whatever the analysis calls
biased there is a false positive. In the others, the second year holds
  generator  the generator's own biased schools (an ability boost in ВПР, pushes, journal marks agreeing);
  lenient    one more school inflated by a lenient checker at a strength drawn from the claimed ranges
             (include/analysis/settings.yaml, objectivity.claimed_detection) — in every second planted region
             at the weakest claimed strength (`weakest`);
  hard_tasks another school given the hard tasks' answers (same totals): only the task signal can see it,
             and one kind of signal is not a verdict, so it is counted for the `tasks` kind only.
Recall of a manipulation = planted schools found (suspected; for hard_tasks: the tasks kind agreeing) /
planted; precision of the verdict = suspected schools that were planted / suspected; precision of a kind =
schools with the kind agreeing that were planted (any manipulation) / schools with it agreeing.
"""
from __future__ import annotations

import argparse
import json
import time
from datetime import date
from pathlib import Path

import numpy as np

SCHOOLS, MUNICIPALITIES, STUDENTS_PER_CLASS = 80, 5, 15
YEAR = 2040
CLEAN_EVERY = 5
BASE_SEED = 73_000
TARGETS = {"recall": 0.9, "precision": 0.8, "false_positives_per_300": 1.0}


def _load(engine, out: Path, year: int, runner) -> None:
    from edu_quality.pipeline.inbox import discover
    from edu_quality.pipeline.ingest import ingest_file
    from edu_quality.sources.contract import LOAD_ORDER

    found = discover(out, year)
    for source in LOAD_ORDER:
        for name in found[source]:
            stats = ingest_file(engine, year, source, out / str(year) / name, name, runner)
            if stats.status != "loaded":
                raise RuntimeError(f"{name}: {stats.status} {stats.message}")


def _candidates(engine, year: int, exclude: set[str]) -> list[str]:
    from sqlalchemy import text

    from sample_region.anomaly import ROOM_MAX_QUALITY, SCHOOL_MIN_STUDENTS, SCHOOL_TYPES

    with engine.connect() as conn:
        return [r[0] for r in conn.execute(text(
            "select s.school_code from core.school s join core.vpr_result v using (year, school_code) "
            "where s.year = :y and s.school_type = any(:t) and s.students >= :n group by s.school_code "
            "having 100.0 * count(*) filter (where v.mark >= 4) / count(*) <= :q order by s.school_code"),
            {"y": year, "t": list(SCHOOL_TYPES), "n": SCHOOL_MIN_STUDENTS, "q": ROOM_MAX_QUALITY})
            if r[0] not in exclude]


def run_region(index: int, server_url: str, workdir: Path) -> dict:
    """Generate, load and analyse region `index`; return what was planted and what was found."""
    from sqlalchemy import create_engine, text

    from edu_quality.analysis import analyse_year
    from edu_quality.indicators.compute import compute_year
    from edu_quality.recommendations.catalogue import rule_conditions
    from edu_quality.validation.gx_runner import SuiteRunner
    from edu_quality.warehouse.migrations import migrate
    from sample_region import generate
    from sample_region.anomaly import WEAKEST, plant

    seed = BASE_SEED + index
    clean = index % CLEAN_EVERY == 0
    weakest = not clean and index % 2 == 1
    name = f"accuracy_{index:02d}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"drop database if exists {name}"))
        conn.execute(text(f"create database {name}"))
    url = server_url.rsplit("/", 1)[0] + "/" + name if "?" not in server_url else (
        server_url.split("?")[0].rsplit("/", 1)[0] + "/" + name + "?" + server_url.split("?", 1)[1])
    engine = create_engine(url)
    try:
        migrate(engine)
        out = workdir / name
        runner = SuiteRunner(data_docs=False)
        kwargs = dict(seed=seed, schools=SCHOOLS, municipalities=MUNICIPALITIES, students_per_class=STUDENTS_PER_CLASS,
                      biased=not clean)
        manifest = generate(YEAR, out, **kwargs)
        _load(engine, out, YEAR, runner)
        compute_year(engine, YEAR)
        analyse_year(engine, YEAR, conditions=rule_conditions())
        generate(YEAR + 1, out, **kwargs)
        planted = {"generator": sorted(manifest["biased_schools"]), "lenient": [], "hard_tasks": []}
        strength = None
        if not clean:
            rng = np.random.default_rng(seed)
            exclude = set(manifest["biased_schools"]) | set(manifest["low_result_schools"]) | set(
                manifest["unfavorable_schools"])
            pool = _candidates(engine, YEAR, exclude)
            if len(pool) < 2:
                raise RuntimeError(f"region {index}: fewer than two schools can take a planted anomaly")
            lenient = pool[int(rng.integers(len(pool)))]
            leak = [c for c in pool if c != lenient][int(rng.integers(len(pool) - 1))]
            a = plant(out / str(YEAR + 1), lenient, seed, strength=WEAKEST if weakest else None)
            plant(out / str(YEAR + 1), leak, seed + 1, mode="hard_tasks")
            planted["lenient"], planted["hard_tasks"] = [lenient], [leak]
            strength = [a.bonus, round(a.bonus_share, 3), round(a.push_share, 3)]
        _load(engine, out, YEAR + 1, runner)
        compute_year(engine, YEAR + 1)
        analyse_year(engine, YEAR + 1, conditions=rule_conditions())
        with engine.connect() as conn:
            suspected = sorted(conn.execute(text(
                "select school_code from mart.school_status where year = :y and biased_results_suspected"),
                {"y": YEAR + 1}).scalars())
            kinds: dict[str, list[str]] = {}
            for kind, school in conn.execute(text(
                    "select signal_kind, school_code from mart.objectivity_verdicts where year = :y and agrees "
                    "order by 1, 2"), {"y": YEAR + 1}):
                kinds.setdefault(kind, []).append(school)
            schools = conn.execute(text("select count(*) from core.school where year = :y"),
                                   {"y": YEAR + 1}).scalar_one()
        return {"index": index, "seed": seed, "clean": clean, "weakest": weakest, "strength": strength,
                "schools": int(schools), "planted": planted, "suspected": suspected, "kinds": kinds}
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f"drop database if exists {name} with (force)"))
        admin.dispose()


def _ratio(hit: int, total: int) -> float | None:
    return round(hit / total, 3) if total else None


def summarise(regions: list[dict]) -> dict:
    """Recall per manipulation, precision of the verdict and of each kind, false positives on clean regions."""
    manipulations = {}
    for m in ("generator", "lenient", "hard_tasks"):
        hit = total = 0
        for r in regions:
            found = set(r["kinds"].get("tasks", [])) if m == "hard_tasks" else set(r["suspected"])
            hit += len(set(r["planted"][m]) & found)
            total += len(r["planted"][m])
        manipulations[m] = {"planted": total, "found": hit, "recall": _ratio(hit, total)}
    weak = [r for r in regions if r["weakest"]]
    weak_hit = sum(len(set(r["planted"]["lenient"]) & set(r["suspected"])) for r in weak)
    manipulations["lenient_weakest"] = {"planted": len(weak), "found": weak_hit, "recall": _ratio(weak_hit, len(weak))}
    inflated = [r for r in regions if not r["clean"]]
    truth = {r["index"]: set(r["planted"]["generator"]) | set(r["planted"]["lenient"]) for r in inflated}
    everything = {r["index"]: truth.get(r["index"], set()) | set(r["planted"]["hard_tasks"]) for r in regions}
    found = sum(len(r["suspected"]) for r in inflated)
    right = sum(len(set(r["suspected"]) & truth[r["index"]]) for r in inflated)
    planted_total = sum(len(t) for t in truth.values())
    kinds = {}
    for kind in sorted({k for r in regions for k in r["kinds"]}):
        agreeing = sum(len(r["kinds"].get(kind, [])) for r in regions)
        correct = sum(len(set(r["kinds"].get(kind, [])) & everything[r["index"]]) for r in regions)
        kinds[kind] = {"agreeing": agreeing, "planted": correct, "precision": _ratio(correct, agreeing)}
    clean = [r for r in regions if r["clean"]]
    clean_schools = sum(r["schools"] for r in clean)
    false_clean = sum(len(r["suspected"]) for r in clean)
    return {
        "overall": {"planted": planted_total, "suspected": found, "correct": right,
                    "recall": _ratio(right, planted_total), "precision": _ratio(right, found)},
        "manipulations": manipulations, "kinds": kinds,
        "clean": {"regions": len(clean), "schools": clean_schools, "suspected": false_clean,
                  "per_300": round(false_clean / clean_schools * 300, 2) if clean_schools else None},
    }


def run(n_regions: int, workdir: Path, progress=print, jobs: int = 1) -> dict:
    from concurrent.futures import ProcessPoolExecutor, as_completed

    from edu_quality.warehouse.embedded import start

    server = start().replace("postgresql://", "postgresql+psycopg2://", 1)
    regions, started = [], time.monotonic()
    # Each region has a database of its own, so regions run side by side (one process per core).
    with ProcessPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = [pool.submit(run_region, i, server, workdir) for i in range(n_regions)]
        for future in as_completed(futures):
            r = future.result()
            regions.append(r)
            done, left = time.monotonic() - started, n_regions - len(regions)
            progress(f"[{len(regions)}/{n_regions}] регион {r['index']} "
                     f"({'без завышений' if r['clean'] else 'с закладками'}): подозрения {r['suspected']}, "
                     f"заложено {r['planted']} — осталось около {done / len(regions) * left / 60:.0f} мин")
    regions.sort(key=lambda r: r["index"])
    return {"measured_on": date.today().isoformat(), "regions": n_regions, "clean_every": CLEAN_EVERY,
            "schools_per_region": SCHOOLS, "jobs": max(1, jobs),
            "students_per_class": STUDENTS_PER_CLASS, "seconds": round(time.monotonic() - started),
            "targets": TARGETS, "summary": summarise(regions), "by_region": regions}


def _cmd_accuracy(args) -> int:
    import tempfile

    with tempfile.TemporaryDirectory(prefix="edu-quality-accuracy-") as tmp:
        result = run(args.regions, Path(tmp), progress=lambda line: print(line, flush=True), jobs=args.jobs)
    s = result["summary"]
    print(f"Итого: полнота {s['overall']['recall']}, точность {s['overall']['precision']}; "
          f"ложных подозрений на 300 ОО в регионах без завышений: {s['clean']['per_300']}")
    for m, v in s["manipulations"].items():
        print(f"  {m}: найдено {v['found']} из {v['planted']} (полнота {v['recall']})")
    for k, v in s["kinds"].items():
        print(f"  вид {k}: согласуется у {v['agreeing']} ОО, из них с закладкой {v['planted']} "
              f"(точность {v['precision']})")
    if args.record:
        Path(args.record).write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"записано в {args.record}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("accuracy", help="точность выявления необъективности на сгенерированных регионах с закладками")
    p.add_argument("--regions", type=int, default=20)
    p.add_argument("--jobs", type=int, default=1, help="регионов одновременно (по процессу на ядро)")
    p.add_argument("--record", help="записать итоги в JSON (docs/objectivity_accuracy.json — их приводит методика)")
    p.set_defaults(func=_cmd_accuracy)
