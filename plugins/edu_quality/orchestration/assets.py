"""Airflow Assets: one per source, updated when a file of that source is loaded (the event's extra
names the year and the file), so the outputs of a year are refreshed when, and only when, one of its
sources changed — a late self-evaluation file reruns indicators, analysis and documents, not ingestion."""
from __future__ import annotations

from airflow.sdk import Asset

from edu_quality.sources.registry import all_names
from edu_quality.warehouse.tables import table_spec


def source_asset(source: str) -> Asset:
    table = table_spec(source)[0]
    return Asset(name=f"edu_quality.{source}", uri=f"postgres://warehouse/edu_quality/{table.replace('.', '/')}",
                 group="edu_quality_sources")


def all_source_assets() -> list[Asset]:
    return [source_asset(s) for s in all_names()]
