"""The indicator catalogue: one folder per indicator under sql/indicators/ (query.sql + metadata.yaml).

Adding an indicator is adding a folder; this module finds it, checks its metadata and publishes it
to core.indicator (read by analysts as mart.indicator_catalog). Names starting with `_` are the
catalogue's own files (`_not_computable.yaml`: what the sources cannot give), not indicators.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

import yaml
from sqlalchemy import text
from sqlalchemy.engine import Connection

from edu_quality.config import PATHS

log = logging.getLogger(__name__)

UNITS = ("%", "балл", "чел.", "ед.")
POLARITIES = ("higher_better", "lower_better", "neutral")
# How school values become municipality and region values (compute.py):
#   ratio_of_sums        Σ numerators / Σ denominators: a school of 900 weighs more than one of 30;
#   share_of_schools     the same sums over a school's 1 or 0 out of 1: the share of schools that have it;
#   mean_of_schools      the plain mean of the school values (each school counts once);
#   median_of_schools    the median of the school values;
#   difference_of_ratios Σn/Σd − Σn₂/Σd₂: the query also gives numerator_2 and denominator_2.
AGGREGATIONS = ("ratio_of_sums", "share_of_schools", "mean_of_schools", "median_of_schools",
                "difference_of_ratios")
REQUIRED = ("code", "name_ru", "direction_code", "direction_name_ru", "unit", "polarity", "formula_ru",
            "source", "aggregation", "scale")
NOT_COMPUTABLE_FILE = "_not_computable.yaml"
NOT_COMPUTABLE_REQUIRED = ("code", "name_ru", "direction_code", "data_needed_ru")


@dataclass(frozen=True)
class Indicator:
    code: str
    name_ru: str
    direction_code: str
    direction_name_ru: str
    unit: str
    polarity: str
    formula_ru: str
    source: str
    aggregation: str
    scale: float
    min_denominator: int
    thresholds: dict
    query: str
    notes_ru: str | None = None


def load_indicator(folder: Path) -> Indicator:
    meta = yaml.safe_load((folder / "metadata.yaml").read_text(encoding="utf-8"))
    missing = [k for k in REQUIRED if k not in meta]
    if missing:
        raise ValueError(f"{folder.name}/metadata.yaml lacks {', '.join(missing)}")
    if meta["code"] != folder.name:
        raise ValueError(f"{folder.name}/metadata.yaml: code {meta['code']!r} differs from its folder")
    if meta["unit"] not in UNITS or meta["polarity"] not in POLARITIES or meta["aggregation"] not in AGGREGATIONS:
        raise ValueError(f"{folder.name}/metadata.yaml: unit, polarity or aggregation not allowed")
    notes = meta.get("notes_ru")
    return Indicator(
        code=meta["code"], name_ru=meta["name_ru"], direction_code=str(meta["direction_code"]),
        direction_name_ru=meta["direction_name_ru"], unit=meta["unit"], polarity=meta["polarity"],
        formula_ru=meta["formula_ru"], source=meta["source"], aggregation=meta["aggregation"],
        scale=float(meta["scale"]), min_denominator=int(meta.get("min_denominator", 1)),
        thresholds=dict(meta.get("thresholds") or {}),
        query=(folder / "query.sql").read_text(encoding="utf-8").strip().rstrip(";"),
        notes_ru=" ".join(str(notes).split()) if notes else None)


def load_catalog(root: Path | None = None) -> list[Indicator]:
    root = root or PATHS.indicators
    return [load_indicator(f) for f in sorted(root.iterdir())
            if f.is_dir() and not f.name.startswith(("_", ".")) and (f / "metadata.yaml").exists()]


def load_not_computable(root: Path | None = None) -> list[dict]:
    """Indicators of the directions that the contract's sources cannot give, with the data they need."""
    path = (root or PATHS.indicators) / NOT_COMPUTABLE_FILE
    if not path.exists():
        return []
    items = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    for item in items:
        missing = [k for k in NOT_COMPUTABLE_REQUIRED if not item.get(k)]
        if missing:
            raise ValueError(f"{NOT_COMPUTABLE_FILE}: {item.get('code')!r} lacks {', '.join(missing)}")
        item["direction_code"] = str(item["direction_code"])
    return items


def publish(conn: Connection, catalog: list[Indicator]) -> None:
    """Make core.indicator (mart.indicator_catalog) the catalogue: its indicators added or updated, and
    those no longer in it removed, with their values in every year (mart.indicator_values lists only
    catalogued indicators). The analysis tables keep their own copies of codes and names: they are each
    year's results and are rewritten when that year is analysed again."""
    if not catalog:
        raise ValueError("the indicator catalogue is empty: refusing to remove every published indicator")
    codes = [ind.code for ind in catalog]
    removed = list(conn.execute(text(
        "select indicator_code from core.indicator where indicator_code <> all(:codes) order by 1"),
        {"codes": codes}).scalars())
    if removed:
        conn.execute(text("delete from core.indicator_value where indicator_code = any(:codes)"), {"codes": removed})
        conn.execute(text("delete from core.indicator where indicator_code = any(:codes)"), {"codes": removed})
        log.warning("показатели удалены из каталога и из хранилища вместе со значениями: %s", ", ".join(removed))
    for ind in catalog:
        conn.execute(text(
            "insert into core.indicator (indicator_code, name_ru, direction_code, direction_name_ru, unit, "
            "polarity, formula_ru, source, aggregation, scale, min_denominator, thresholds, notes_ru) values "
            "(:code, :name_ru, :direction_code, :direction_name_ru, :unit, :polarity, :formula_ru, :source, "
            ":aggregation, :scale, :min_denominator, cast(:thresholds as jsonb), :notes_ru) "
            "on conflict (indicator_code) do update set name_ru = excluded.name_ru, "
            "direction_code = excluded.direction_code, direction_name_ru = excluded.direction_name_ru, "
            "unit = excluded.unit, polarity = excluded.polarity, formula_ru = excluded.formula_ru, "
            "source = excluded.source, aggregation = excluded.aggregation, scale = excluded.scale, "
            "min_denominator = excluded.min_denominator, thresholds = excluded.thresholds, "
            "notes_ru = excluded.notes_ru"),
            {**ind.__dict__, "thresholds": json.dumps(ind.thresholds, ensure_ascii=False)})
