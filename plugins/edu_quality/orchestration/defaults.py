"""Settings every DAG of the project shares: owner, retries with back-off, timeouts, failure message."""
from __future__ import annotations

import logging
from datetime import timedelta

log = logging.getLogger(__name__)
OWNER = "edu-quality"


def on_task_failure(context) -> None:
    """Say what failed in words an operator understands (the log holds the traceback)."""
    ti = context.get("task_instance") or context.get("ti")
    exc = context.get("exception")
    log.error("Шаг «%s» мониторинга завершился с ошибкой: %s. Подробности — в журнале задачи.",
              getattr(ti, "task_id", "?"), exc)


DEFAULT_ARGS = {
    "owner": OWNER,
    "retries": 2,
    "retry_delay": timedelta(seconds=30),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=10),
    "execution_timeout": timedelta(hours=2),
    "on_failure_callback": on_task_failure,
}
