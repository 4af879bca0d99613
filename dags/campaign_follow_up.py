"""
### Контроль исполнения рекомендаций

Ежедневно после направления результатов: кто не представил план мероприятий в течение месяца,
чьи меры просрочены (по файлам `measures.*`). Список просроченных — CSV в папке документов года,
подробности — `mart.follow_up`; напоминания о непредставленных данных — `mart.campaign_reminders`.
"""
from __future__ import annotations

from datetime import datetime

from airflow.sdk import Param, dag, get_current_context, task

from edu_quality.orchestration.defaults import DEFAULT_ARGS
from edu_quality.pipeline import steps
from edu_quality.pipeline.campaign import run_year

_PATHS = steps.default_paths()


@dag(
    dag_id="campaign_follow_up",
    schedule="@daily",
    start_date=datetime(2024, 9, 1),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["edu-quality", "campaign", "follow-up"],
    doc_md=__doc__,
    params={"year": Param(None, type=["null", "integer"], description="Год результатов; пусто — открытая кампания"),
            "output": Param(_PATHS["output"], type="string", description="Папка для документов")},
)
def campaign_follow_up():
    def _year() -> int:
        return run_year(get_current_context())

    @task
    def list_late() -> dict:
        return steps.follow_up(_year(), get_current_context()["params"]["output"])

    @task
    def list_missing_data() -> dict:
        return steps.reminders(_year(), get_current_context()["params"]["output"])

    list_late()
    list_missing_data()


campaign_follow_up()
