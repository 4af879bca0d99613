"""Failures reach operators through a notifier (Airflow 3's way; `email_on_failure` is deprecated): the message
in the log, and an e-mail through the SMTP provider to EDU_QUALITY_ALERT_EMAILS — here to a real SMTP
conversation with a tiny server on loopback."""
from __future__ import annotations

import email
import email.policy
import json
import logging
import socketserver
import threading
from types import SimpleNamespace

import pytest

from edu_quality.orchestration.defaults import DEFAULT_ARGS, FailureNotifier


class _SMTPHandler(socketserver.StreamRequestHandler):
    def handle(self):
        def say(line: str) -> None:
            self.wfile.write((line + "\r\n").encode())

        say("220 test ESMTP")
        mail = {"rcpt": [], "data": ""}
        while True:
            line = self.rfile.readline().decode(errors="replace")
            if not line:
                return
            verb = line[:4].upper()
            if verb in ("EHLO", "HELO"):
                say("250 test")
            elif verb == "MAIL":
                mail["from"] = line.split(":", 1)[1].strip()
                say("250 ok")
            elif verb == "RCPT":
                mail["rcpt"].append(line.split(":", 1)[1].strip().strip("<>"))
                say("250 ok")
            elif verb == "DATA":
                say("354 go on")
                chunks = []
                while (chunk := self.rfile.readline().decode(errors="replace")) not in (".\r\n", ""):
                    chunks.append(chunk)
                mail["data"] = "".join(chunks)
                self.server.mails.append(mail)
                mail = {"rcpt": [], "data": ""}
                say("250 queued")
            elif verb == "QUIT":
                say("221 bye")
                return
            else:
                say("250 ok")


@pytest.fixture
def smtp_server(monkeypatch):
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SMTPHandler)
    server.mails = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("AIRFLOW_CONN_SMTP_DEFAULT", json.dumps({
        "conn_type": "smtp", "host": "127.0.0.1", "port": server.server_address[1],
        "extra": {"from_email": "monitoring@region.example", "disable_ssl": True, "disable_tls": True}}))
    yield server
    server.shutdown()
    server.server_close()


def _context():
    ti = SimpleNamespace(task_id="compute_indicators", dag_id="annual_monitoring_cycle", run_id="manual__2026",
                         map_index=-1, try_number=3)
    return {"task_instance": ti, "ti": ti, "exception": RuntimeError("нет связи с хранилищем")}


def test_the_default_failure_callback_is_the_notifier():
    assert isinstance(DEFAULT_ARGS["on_failure_callback"], FailureNotifier)
    assert "email_on_failure" not in DEFAULT_ARGS and "email" not in DEFAULT_ARGS


def test_a_failure_is_logged_and_mailed_to_the_operators(smtp_server, monkeypatch, caplog):
    monkeypatch.setenv("EDU_QUALITY_ALERT_EMAILS", "ops@region.example, duty@region.example")
    with caplog.at_level(logging.ERROR, logger="edu_quality.orchestration.defaults"):
        FailureNotifier()(_context())
    assert "Шаг «compute_indicators» мониторинга" in caplog.text and "нет связи с хранилищем" in caplog.text
    assert len(smtp_server.mails) == 1
    mail = smtp_server.mails[0]
    assert sorted(mail["rcpt"]) == ["duty@region.example", "ops@region.example"]
    assert "monitoring@region.example" in mail["from"]
    message = email.message_from_string(mail["data"], policy=email.policy.default)
    assert "compute_indicators" in str(message["Subject"])
    body = "".join(part.get_content() for part in message.walk() if part.get_content_type() == "text/html")
    assert "Шаг «compute_indicators» мониторинга" in body and "нет связи с хранилищем" in body


def test_no_recipients_no_mail_and_a_dead_mail_server_does_not_raise(smtp_server, monkeypatch, caplog):
    monkeypatch.delenv("EDU_QUALITY_ALERT_EMAILS", raising=False)
    FailureNotifier()(_context())
    assert smtp_server.mails == []
    monkeypatch.setenv("EDU_QUALITY_ALERT_EMAILS", "ops@region.example")
    monkeypatch.setenv("AIRFLOW_CONN_SMTP_DEFAULT", json.dumps({
        "conn_type": "smtp", "host": "127.0.0.1", "port": 9, "extra": {
            "from_email": "m@region.example", "disable_ssl": True, "disable_tls": True, "retry_limit": 0,
            "timeout": 2}}))
    with caplog.at_level(logging.ERROR):
        FailureNotifier()(_context())
    assert "письмо об ошибке не отправлено" in caplog.text
