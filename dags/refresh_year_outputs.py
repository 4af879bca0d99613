"""
### Пересчёт показателей, анализа и документов года по обновлённым источникам

Запускается Airflow, когда обновляется любой Asset источника (см. DAG `ingest_<источник>`): берёт
годы из событий, пересчитывает для каждого показатели, анализ и рекомендации и заново формирует документы
(неизменившиеся документы не перерисовываются).
"""
from __future__ import annotations

from datetime import datetime
from functools import reduce

from airflow.sdk import Param, dag, get_current_context, task

from edu_quality.orchestration.assets import all_source_assets
from edu_quality.orchestration.defaults import DEFAULT_ARGS
from edu_quality.pipeline import steps
from edu_quality.pipeline.campaign import run_day

_PATHS = steps.default_paths()


@dag(
    dag_id="refresh_year_outputs",
    schedule=reduce(lambda a, b: a | b, all_source_assets()),
    start_date=datetime(2024, 9, 1),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["edu-quality", "indicators", "documents"],
    doc_md=__doc__,
    params={"output": Param(_PATHS["output"], type="string", description="Папка для документов"),
            "year": Param(None, type=["null", "integer"], description="Год (при ручном запуске)")},
)
def refresh_year_outputs():
    @task
    def years_to_refresh() -> list[int]:
        context = get_current_context()
        years = {int(e.extra["year"]) for events in (context.get("triggering_asset_events") or {}).values()
                 for e in events if (e.extra or {}).get("year")}
        if context["params"].get("year"):
            years.add(int(context["params"]["year"]))
        return sorted(years)

    @task
    def refresh(year: int) -> dict:
        context = get_current_context()
        # The documents' date: the run's own day (its logical date, or the day a manual run started).
        return steps.refresh_outputs(year, context["params"]["output"], run_day(context).isoformat())

    refresh.expand(year=years_to_refresh())


refresh_year_outputs()
