"""generate(): build the sample region and write its inbox for one year."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from .gia import write_gia, write_thresholds
from .heads import write_heads, write_monitoring
from .measures import write_measures
from .olympiads import write_olympiads
from .planted import MANIFEST_NAME, PlantLog, build_manifest
from .region import build_region, write_schools
from .self_evaluation import write_self_evaluation
from .staff import write_teachers
from .vpr import write_scales, write_vpr


def _check_replaceable(year_dir: Path) -> None:
    """Only a folder this generator wrote before (it has a manifest) may be replaced."""
    if year_dir.exists() and any(year_dir.iterdir()) and not (year_dir / MANIFEST_NAME).is_file():
        raise FileExistsError(f"{year_dir} is not empty and was not written by the sample generator")


def generate(year: int, out_dir: str | Path, seed: int = 2024, schools: int = 300, municipalities: int = 10,
             students_per_class: int = 25, municipal_monitoring: bool = True, biased: bool = True) -> dict:
    """Write a sample region's inbox to `out_dir/<year>/` as the input contract lays it out, with
    `_manifest.json` describing the files, the planted school stories and every planted bad row.
    `municipal_monitoring=False` leaves out the region's motivating monitoring (an optional source);
    `biased=False` plants no school with inflated ВПР.

    The same arguments always give byte-identical files. Returns the manifest.
    """
    if seed < 0:
        raise ValueError("seed must be non-negative")
    if not 2000 <= year <= 2099:
        raise ValueError("year must be between 2000 and 2099")
    target = Path(out_dir) / str(year)
    _check_replaceable(target)
    # Written aside and moved into place at the end, so a failed run never leaves half an inbox.
    root = Path(out_dir) / f".{year}.partial"
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    region = build_region(year, seed, schools, municipalities, students_per_class, biased)
    log = PlantLog()

    files = [write_schools(region, root, log), write_scales(region, root)]
    files += write_vpr(region, root, log)
    files.append(write_thresholds(region, root))
    gia_files, gia_summary = write_gia(region, root, log)
    files += gia_files
    teachers_file, staff_summary = write_teachers(region, root, log)
    olympiads_file, olympiad_summary = write_olympiads(region, root, log)
    files.append(write_self_evaluation(region, root, log, gia_summary, staff_summary, olympiad_summary))
    files += [teachers_file, olympiads_file, write_measures(region, root, log)]
    heads_file, weak_heads = write_heads(region, root, log, staff_summary)
    files.append(heads_file)
    weakest = []
    if municipal_monitoring:
        monitoring_file, weakest = write_monitoring(region, root, log)
        files.append(monitoring_file)

    manifest = build_manifest(
        year=year, seed=seed,
        parameters={"schools": schools, "municipalities": municipalities, "students_per_class": students_per_class},
        region=region.summary(), files=files, planted=region.planted, log=log,
        latent=region.latent(), weak_heads=weak_heads, weakest_by_monitoring=weakest)
    text = json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
    (root / MANIFEST_NAME).write_text(text, encoding="utf-8", newline="\n")
    if target.exists():
        shutil.rmtree(target)
    root.rename(target)
    return manifest
