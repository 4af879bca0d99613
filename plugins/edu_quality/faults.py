"""Fault injection for the reliability tests: named points where a run can be made to die for real.

`failpoint(name)` does nothing unless the environment variable EDU_QUALITY_FAILPOINT names that point:

  EDU_QUALITY_FAILPOINT=load.before_commit          the first time the point is reached: SIGKILL
  EDU_QUALITY_FAILPOINT=load.before_commit:3        the third time it is reached in this process
  EDU_QUALITY_FAILPOINT=indicators.computed:5@sleep=4
                                                    the fifth time: sleep four seconds, then go on
  EDU_QUALITY_FAILPOINT=load.before_commit:4@hold=120
                                                    the fourth time: wait until the test deletes the mark
                                                    file (EDU_QUALITY_FAILPOINT_MARK), at most 120 s, then go on

SIGKILL cannot be caught, so nothing in the process gets to clean up: no `finally`, no rollback sent,
no atexit — what a crash, the OOM killer or a lost machine leaves behind. The `sleep` action holds the
run at a known point (with whatever locks and transactions it has open), so a test can act meanwhile,
e.g. stop the warehouse server or start a second run; `hold` holds it for as long as the test needs (no
window to hit on a loaded machine), until the test deletes the mark. When EDU_QUALITY_FAILPOINT_MARK names a
file, reaching the point writes "<name> <pid>" there first, so a test knows the run is being held.

The points (grep for `failpoint(`):
  load.before_commit      warehouse/load.py: a file's rows are COPYed into core, not committed
  indicators.computed     indicators/compute.py: after each indicator's values are inserted, not committed
  analysis.stored         analysis/run.py: part of the year's analysis tables replaced, not committed
  documents.school        documents/render.py: after each school's documents are on disk, before the rest
"""
from __future__ import annotations

import os
import signal
import time
from collections import Counter

ENV = "EDU_QUALITY_FAILPOINT"
MARK_ENV = "EDU_QUALITY_FAILPOINT_MARK"
_hits: Counter[str] = Counter()


def parse(spec: str) -> tuple[str, int, str, float]:
    """`name[:N][@kill|@sleep=S|@hold=S]` → (name, N, action, seconds)."""
    spec, _, action = spec.strip().partition("@")
    name, _, nth = spec.partition(":")
    seconds = 0.0
    if action.startswith(("sleep=", "hold=")):
        action, seconds = action.split("=", 1)[0], float(action.split("=", 1)[1])
    elif action not in ("", "kill"):
        raise ValueError(f"{ENV}: unknown action {action!r} (kill, sleep=SECONDS or hold=SECONDS)")
    return name, int(nth) if nth else 1, action or "kill", seconds


def failpoint(name: str) -> None:
    spec = os.environ.get(ENV)
    if not spec:
        return
    target, nth, action, seconds = parse(spec)
    if target != name:
        return
    _hits[name] += 1
    if _hits[name] != nth:
        return
    mark = os.environ.get(MARK_ENV)
    if mark:
        # Written aside and renamed: a test that sees the mark appear reads it whole, never an empty file.
        part = f"{mark}.{os.getpid()}.part"
        with open(part, "w", encoding="utf-8") as f:
            f.write(f"{name} {os.getpid()}\n")
        os.replace(part, mark)
    if action == "sleep":
        time.sleep(seconds)
        return
    if action == "hold":
        if not mark:
            raise ValueError(f"{ENV}: hold needs {MARK_ENV}, the file the test deletes to release the run")
        deadline = time.monotonic() + seconds
        while os.path.exists(mark) and time.monotonic() < deadline:
            time.sleep(0.05)
        return
    os.kill(os.getpid(), signal.SIGKILL)
