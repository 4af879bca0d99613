"""The failpoints' `hold` action: the run waits at the point until the test deletes the mark, and no longer."""
from __future__ import annotations

import threading

import pytest

from edu_quality import faults


def test_parse():
    assert faults.parse("load.before_commit:4@hold=120") == ("load.before_commit", 4, "hold", 120.0)
    assert faults.parse("x@sleep=2") == ("x", 1, "sleep", 2.0)
    assert faults.parse("x:2") == ("x", 2, "kill", 0.0)
    with pytest.raises(ValueError, match="unknown action"):
        faults.parse("x@nap=1")


def test_hold_waits_until_the_mark_is_deleted(tmp_path, monkeypatch):
    mark = tmp_path / "held"
    monkeypatch.setenv(faults.ENV, "unit.hold@hold=60")
    monkeypatch.setenv(faults.MARK_ENV, str(mark))
    monkeypatch.setattr(faults, "_hits", faults.Counter())
    released = threading.Event()
    done = threading.Event()

    def run():
        faults.failpoint("unit.hold")
        assert released.is_set(), "went on before the mark was deleted"
        done.set()

    worker = threading.Thread(target=run)
    worker.start()
    for _ in range(600):
        if mark.exists():
            break
        threading.Event().wait(0.05)
    assert mark.read_text().startswith("unit.hold ")
    assert not done.wait(0.5)  # held
    released.set()
    mark.unlink()
    assert done.wait(30)
    worker.join(5)


def test_hold_needs_a_mark(monkeypatch):
    monkeypatch.setenv(faults.ENV, "unit.nomark@hold=1")
    monkeypatch.delenv(faults.MARK_ENV, raising=False)
    monkeypatch.setattr(faults, "_hits", faults.Counter())
    with pytest.raises(ValueError, match="hold needs"):
        faults.failpoint("unit.nomark")
