"""
### Загрузка источника (по одному DAG на источник)

Проверяет и загружает файлы одного источника за год из `inbox/<year>/` — например, самообследование,
пришедшее позже остальных. Неизменённые файлы пропускаются; если что-то загружено, обновляется
Asset источника, и DAG `refresh_year_outputs` пересчитывает показатели, анализ и документы этого
года. Ежедневный запуск подхватывает опоздавшие файлы сам.
"""
from __future__ import annotations

from datetime import datetime

from airflow.sdk import Param, dag, get_current_context, task
from airflow.sdk.exceptions import AirflowSkipException

from edu_quality.orchestration.assets import source_asset
from edu_quality.orchestration.defaults import DEFAULT_ARGS
from edu_quality.pipeline import steps
from edu_quality.pipeline.campaign import run_year

_PATHS = steps.default_paths()


def build(source: str):
    asset = source_asset(source)

    @dag(
        dag_id=f"ingest_{source}",
        schedule="@daily",
        start_date=datetime(2024, 9, 1),
        catchup=False,
        max_active_runs=1,
        default_args=DEFAULT_ARGS,
        tags=["edu-quality", "ingest", source],
        doc_md=__doc__ + f"\n\nИсточник: **{source}** — {steps.source_title(source)}.",
        params={"year": Param(None, type=["null", "integer"], description="Год; пусто — открытая кампания"),
                "inbox": Param(_PATHS["inbox"], type="string", description="Папка входящих файлов")},
    )
    def ingest_source():
        @task
        def list_files() -> list[dict]:
            context = get_current_context()
            return steps.files_of(context["params"]["inbox"], run_year(context), source)

        @task(outlets=[asset])
        def ingest(source: str, path: str, file_name: str, year: int) -> dict:
            stats = steps.ingest(source, path, file_name, year)
            if stats["status"] == "skipped":
                # No asset event for an unchanged file: nothing downstream needs to rerun.
                raise AirflowSkipException(f"{file_name}: не изменился с прошлой загрузки")
            get_current_context()["outlet_events"][asset].extra = {"year": year, "file": file_name,
                                                                    "status": stats["status"]}
            return stats

        ingest.expand_kwargs(list_files())

    return ingest_source()


for _source in steps.source_names():
    build(_source)
