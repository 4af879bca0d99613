"""
### Ежегодный цикл мониторинга качества образования

Один запуск — один год результатов (`year`): файлы из папки `inbox/<year>/` проверяются
(Great Expectations), загружаются в хранилище (PostgreSQL, `COPY`), по ним рассчитываются показатели
на уровнях ОО, МО и региона, подбираются адресные рекомендации и формируются документы для
руководителей школ (HTML и PDF), по муниципалитету на задачу.

Параметры запуска: `year` (пусто — год открытой кампании), `inbox`, `output`, `issued_on` (дата
направления результатов; срок плана мероприятий — через месяц). Запускается по расписанию 1 декабря;
кампания по результатам года закрывается до **1 февраля** следующего года — за сроком следит DAG
`campaign_deadline_watch`. Итог запуска — в `mart.load_log`, `mart.quarantine`, `mart.indicator_values`,
`mart.recommendations`, напоминания школам — в `mart.campaign_reminders`.
"""
from __future__ import annotations

from datetime import datetime

from airflow.sdk import Param, TaskGroup, dag, get_current_context, task

from edu_quality.orchestration.defaults import DEFAULT_ARGS
from edu_quality.pipeline import steps
from edu_quality.pipeline.campaign import run_day, run_year

_PATHS = steps.default_paths()


def _params() -> dict:
    """The run's parameters, with the results year resolved: given, or the campaign open on the
    run's logical date (scheduled runs), or on the day it runs (manual runs without a date)."""
    context = get_current_context()
    # The documents' date: given, or the run's own day (never the day the DAG file was parsed).
    issued_on = context["params"].get("issued_on") or run_day(context).isoformat()
    return {**context["params"], "year": run_year(context), "issued_on": issued_on}


@dag(
    dag_id="annual_monitoring_cycle",
    # Each year on 1 December: two months before the 1 February deadline, with time for reruns.
    schedule="0 3 1 12 *",
    start_date=datetime(2024, 9, 1),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["edu-quality", "annual", "monitoring"],
    doc_md=__doc__,
    params={
        "year": Param(None, type=["null", "integer"], minimum=2000, maximum=2100,
                      description="Год результатов (ВПР весной года, ГИА года, самообследование за год); "
                                  "пусто — год открытой кампании"),
        "inbox": Param(_PATHS["inbox"], type="string", description="Папка входящих файлов"),
        "output": Param(_PATHS["output"], type="string", description="Папка для документов"),
        "issued_on": Param(None, type=["null", "string"], format="date",
                           description="Дата направления результатов (ГГГГ-ММ-ДД); пусто — день запуска"),
    },
)
def annual_monitoring_cycle():
    @task
    def prepare_warehouse() -> list[str]:
        return steps.prepare_warehouse()

    @task
    def withdraw_absent_files() -> list[str]:
        p = _params()
        return steps.withdraw_absent(p["inbox"], int(p["year"]))

    @task(trigger_rule="none_failed")
    def list_files(source: str) -> list[dict]:
        p = _params()
        return steps.files_of(p["inbox"], int(p["year"]), source)

    @task(trigger_rule="none_failed")
    def ingest(source: str, path: str, file_name: str, year: int) -> dict:
        return steps.ingest(source, path, file_name, year)

    @task(trigger_rule="none_failed")
    def build_data_docs() -> str | None:
        return steps.build_data_docs()

    @task(trigger_rule="none_failed")
    def compute_indicators() -> dict:
        return steps.compute_indicators(int(_params()["year"]))

    @task
    def analyse() -> dict:
        return steps.analyse(int(_params()["year"]))

    @task
    def choose_recommendations() -> int:
        p = _params()
        return steps.choose_recommendations(int(p["year"]), p["issued_on"])

    @task
    def list_municipalities() -> list[str]:
        return steps.municipalities(int(_params()["year"]))

    @task(trigger_rule="none_failed")
    def render_documents(municipality_code: str) -> int:
        p = _params()
        return steps.render_municipality(int(p["year"]), municipality_code, p["output"], p["issued_on"])

    @task(trigger_rule="none_failed")
    def publish() -> str:
        p = _params()
        return steps.publish(int(p["year"]), p["output"], p["issued_on"])

    @task(trigger_rule="none_failed")
    def write_reminders() -> dict:
        p = _params()
        return steps.reminders(int(p["year"]), p["output"])

    @task(trigger_rule="none_failed")
    def summarize(data_docs: str | None) -> dict:
        p = _params()
        return steps.summarize(int(p["year"]), p["output"], data_docs, get_current_context()["run_id"])

    ready = prepare_warehouse()
    withdrawn = withdraw_absent_files()
    ready >> withdrawn
    # One task group per source, in the contract's order: a source waits for the references its rows
    # point at (schools, scales), and each of its files is a mapped task of its own.
    groups = {}
    for source in steps.source_names():
        with TaskGroup(group_id=source, tooltip=steps.source_title(source)) as group:
            ingest.expand_kwargs(list_files(source))
        for reference in steps.references_of(source):
            groups[reference] >> group
        withdrawn >> group
        groups[source] = group
    results = list(groups.values())
    docs = build_data_docs()
    results >> docs
    indicators = compute_indicators()
    results >> indicators
    analysis = analyse()
    chosen = choose_recommendations()
    indicators >> analysis >> chosen
    municipalities = list_municipalities()
    chosen >> municipalities
    rendered = render_documents.expand(municipality_code=municipalities)
    summary = summarize(docs)
    rendered >> publish() >> write_reminders() >> summary


annual_monitoring_cycle()
