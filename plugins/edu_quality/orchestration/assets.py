"""Airflow Assets: one per source, updated when a file of that source is loaded (the event's extra
names the year and the file), so the outputs of a year are refreshed when, and only when, one of its
sources changed — a late self-evaluation file reruns indicators, analysis and documents, not ingestion."""
from __future__ import annotations

from airflow.sdk import Asset

from edu_quality.sources.registry import all_names, description


def source_asset(source: str) -> Asset:
    # The description's table, not warehouse.tables.table_spec: that module imports pandas, which a DAG
    # file must not load when it is parsed.
    table = description(source).table
    return Asset(name=f"edu_quality.{source}", uri=f"postgres://warehouse/edu_quality/{table.replace('.', '/')}",
                 group="edu_quality_sources")


def all_source_assets() -> list[Asset]:
    return [source_asset(s) for s in all_names()]
