"""
### Контроль срока кампании мониторинга (до 1 февраля)

Ежедневно проверяет, завершён ли годовой цикл мониторинга открытой кампании. Результаты года Y
должны быть обработаны до **1 февраля Y+1**. Статус пишется в `mart.campaign_deadline`:
`on_track` — в срок, `at_risk` — до срока меньше двух недель, а цикл не завершён (предупреждение
в журнале), `missed` — срок пропущен: задача завершается ошибкой, срабатывает оповещение
(журнал, e-mail из `EDU_QUALITY_ALERT_EMAILS`), `finished` — цикл завершён в срок.
"""
from __future__ import annotations

from datetime import datetime

from airflow.sdk import Param, dag, get_current_context, task
from airflow.sdk.exceptions import AirflowFailException

from edu_quality.orchestration.defaults import DEFAULT_ARGS
from edu_quality.pipeline import steps
from edu_quality.pipeline.campaign import run_day


@dag(
    dag_id="campaign_deadline_watch",
    schedule="@daily",
    start_date=datetime(2024, 9, 1),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["edu-quality", "campaign", "deadline"],
    doc_md=__doc__,
    params={"year": Param(None, type=["null", "integer"], description="Год результатов; пусто — открытая кампания")},
)
def campaign_deadline_watch():
    @task
    def check_deadline() -> dict:
        context = get_current_context()
        state = steps.check_deadline(run_day(context), context["params"].get("year"))
        if state["fires"]:
            # AirflowFailException is never retried: a missed deadline is a fact to act on; a lost
            # warehouse connection, on the other hand, gets the usual retries.
            raise AirflowFailException(state["message_ru"])
        return state

    check_deadline()


campaign_deadline_watch()
