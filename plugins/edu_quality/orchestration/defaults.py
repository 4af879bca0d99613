"""Settings every DAG of the project shares: owner, retries with back-off, timeouts, failure message."""
from __future__ import annotations

import logging
import os
from datetime import timedelta

log = logging.getLogger(__name__)
OWNER = "edu-quality"


def on_task_failure(context) -> None:
    """Say what failed in words an operator understands (the log holds the traceback)."""
    ti = context.get("task_instance") or context.get("ti")
    exc = context.get("exception")
    log.error("Шаг «%s» мониторинга завершился с ошибкой: %s. Подробности — в журнале задачи.",
              getattr(ti, "task_id", "?"), exc)


# Operators who get an e-mail when a task fails for good (SMTP from Airflow's configuration).
ALERT_EMAILS = [a.strip() for a in os.environ.get("EDU_QUALITY_ALERT_EMAILS", "").split(",") if a.strip()]

DEFAULT_ARGS = {
    "owner": OWNER,
    "email": ALERT_EMAILS,
    "email_on_failure": bool(ALERT_EMAILS),
    "email_on_retry": False,
    "retries": 2,
    "retry_delay": timedelta(seconds=30),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=10),
    "execution_timeout": timedelta(hours=2),
    "on_failure_callback": on_task_failure,
}
