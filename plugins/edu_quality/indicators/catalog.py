"""The indicator catalogue: one folder per indicator under sql/indicators/ (query.sql + metadata.yaml).

Adding an indicator is adding a folder; this module finds it, checks its metadata and publishes it
to core.indicator (read by analysts as mart.indicator_catalog).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import yaml
from sqlalchemy import text
from sqlalchemy.engine import Connection

from edu_quality.config import PATHS

UNITS = ("%", "балл", "чел.", "ед.")
POLARITIES = ("higher_better", "lower_better", "neutral")
AGGREGATIONS = ("ratio_of_sums",)
REQUIRED = ("code", "name_ru", "direction_code", "direction_name_ru", "unit", "polarity", "formula_ru",
            "source", "aggregation", "scale")


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


def load_indicator(folder: Path) -> Indicator:
    meta = yaml.safe_load((folder / "metadata.yaml").read_text(encoding="utf-8"))
    missing = [k for k in REQUIRED if k not in meta]
    if missing:
        raise ValueError(f"{folder.name}/metadata.yaml lacks {', '.join(missing)}")
    if meta["code"] != folder.name:
        raise ValueError(f"{folder.name}/metadata.yaml: code {meta['code']!r} differs from its folder")
    if meta["unit"] not in UNITS or meta["polarity"] not in POLARITIES or meta["aggregation"] not in AGGREGATIONS:
        raise ValueError(f"{folder.name}/metadata.yaml: unit, polarity or aggregation not allowed")
    return Indicator(
        code=meta["code"], name_ru=meta["name_ru"], direction_code=str(meta["direction_code"]),
        direction_name_ru=meta["direction_name_ru"], unit=meta["unit"], polarity=meta["polarity"],
        formula_ru=meta["formula_ru"], source=meta["source"], aggregation=meta["aggregation"],
        scale=float(meta["scale"]), min_denominator=int(meta.get("min_denominator", 1)),
        thresholds=dict(meta.get("thresholds") or {}),
        query=(folder / "query.sql").read_text(encoding="utf-8").strip().rstrip(";"))


def load_catalog(root: Path | None = None) -> list[Indicator]:
    root = root or PATHS.indicators
    return [load_indicator(f) for f in sorted(root.iterdir()) if (f / "metadata.yaml").exists()]


def publish(conn: Connection, catalog: list[Indicator]) -> None:
    for ind in catalog:
        conn.execute(text(
            "insert into core.indicator (indicator_code, name_ru, direction_code, direction_name_ru, unit, "
            "polarity, formula_ru, source, aggregation, scale, min_denominator, thresholds) values "
            "(:code, :name_ru, :direction_code, :direction_name_ru, :unit, :polarity, :formula_ru, :source, "
            ":aggregation, :scale, :min_denominator, cast(:thresholds as jsonb)) "
            "on conflict (indicator_code) do update set name_ru = excluded.name_ru, "
            "direction_code = excluded.direction_code, direction_name_ru = excluded.direction_name_ru, "
            "unit = excluded.unit, polarity = excluded.polarity, formula_ru = excluded.formula_ru, "
            "source = excluded.source, aggregation = excluded.aggregation, scale = excluded.scale, "
            "min_denominator = excluded.min_denominator, thresholds = excluded.thresholds"),
            {**ind.__dict__, "thresholds": json.dumps(ind.thresholds, ensure_ascii=False)})
