"""Settings every DAG of the project shares: owner, retries with back-off, timeouts, the failure notifier."""
from __future__ import annotations

import logging
import os
from datetime import timedelta
from html import escape

from airflow.sdk import BaseNotifier

log = logging.getLogger(__name__)
OWNER = "edu-quality"


def alert_emails() -> list[str]:
    """Operators who get an e-mail when a task fails for good (read when a failure is reported, in the
    worker, so changing the list needs no new DAG version)."""
    return [a.strip() for a in os.environ.get("EDU_QUALITY_ALERT_EMAILS", "").split(",") if a.strip()]


class FailureNotifier(BaseNotifier):
    """A task failed for good (its retries spent): say what failed in words an operator understands — in the
    task's log always, and by e-mail to EDU_QUALITY_ALERT_EMAILS when it is set, through the SMTP provider's
    SmtpNotifier (the SMTP connection `smtp_default`, or `[email] email_conn_id`; the sender is
    EDU_QUALITY_ALERT_FROM or the connection's `from_email`). The log holds the traceback; a mail server
    that is down is logged, it does not hide the task's own failure."""

    def __init__(self, recipients: list[str] | None = None, smtp_conn_id: str | None = None):
        super().__init__()
        self.recipients = recipients
        self.smtp_conn_id = smtp_conn_id

    @staticmethod
    def message(context) -> str:
        ti = context.get("task_instance") or context.get("ti")
        return (f"Шаг «{getattr(ti, 'task_id', '?')}» мониторинга (DAG {getattr(ti, 'dag_id', '?')}, запуск "
                f"{getattr(ti, 'run_id', '?')}) завершился с ошибкой: {context.get('exception')}. "
                f"Подробности — в журнале задачи.")

    def notify(self, context) -> None:
        text = self.message(context)
        log.error("%s", text)
        recipients = self.recipients if self.recipients is not None else alert_emails()
        if not recipients:
            return
        from airflow.providers.smtp.notifications.smtp import SmtpNotifier

        ti = context.get("task_instance") or context.get("ti")
        mail = SmtpNotifier(to=recipients, from_email=os.environ.get("EDU_QUALITY_ALERT_FROM") or None,
                            subject=f"edu-quality: ошибка шага {getattr(ti, 'task_id', '?')}",
                            html_content=f"<p>{escape(text)}</p>", smtp_conn_id=self.smtp_conn_id)
        try:
            mail.notify(context)
        except Exception:
            log.exception("письмо об ошибке не отправлено (%s)", ", ".join(recipients))


DEFAULT_ARGS = {
    "owner": OWNER,
    "retries": 2,
    "retry_delay": timedelta(seconds=30),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=10),
    "execution_timeout": timedelta(hours=2),
    "on_failure_callback": FailureNotifier(),
}
