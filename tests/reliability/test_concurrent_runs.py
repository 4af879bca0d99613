"""Two runs of the same year at once (a manual run next to the scheduled one): the year's recomputation
is held by one run at a time (pipeline/steps.py, a PostgreSQL advisory lock on the year), and both
finish with what one uninterrupted run gives."""
from __future__ import annotations

import time

from sqlalchemy import create_engine, text

from edu_quality.warehouse.connection import sqlalchemy_url

from .support import YEAR, documents_digest, finish, start_cycle, warehouse_digest

# The year's advisory lock as pg_locks shows it: a 64-bit key split over classid and objid.
LOCKS = """
select l.pid, l.granted from pg_locks l
where l.locktype = 'advisory' and l.objsubid = 1
  and ((l.classid::bigint << 32) | l.objid::bigint) = hashtextextended(:key, 0)
"""


def test_two_runs_of_one_year_never_interleave(databases, loaded, inbox, tmp_path, reference):
    """Each run is held inside its recomputation of the indicators (a failpoint that waits for the test) for as
    long as the test looks: while one is held there, the other is seen queueing for the year and never gets
    inside; released, the other gets in."""
    _, url = databases("rel_concurrent", template=loaded)
    output = tmp_path / "output"
    marks = {"first": tmp_path / "first", "second": tmp_path / "second"}
    runs = {name: start_cycle(url, inbox, output, failpoint="indicators.computed:3@hold=600", mark=m)
            for name, m in marks.items()}

    def inside() -> list[str]:
        return [name for name, m in marks.items() if m.exists() and m.read_text().strip()]

    def until(what: str, condition, timeout: float = 240):
        deadline = time.monotonic() + timeout
        while not (found := condition()):
            if time.monotonic() > deadline or all(r.poll() is not None for r in runs.values()):
                raise AssertionError(f"never saw {what}; runs: {[r.poll() for r in runs.values()]}")
            time.sleep(0.05)
        return found

    watcher = create_engine(sqlalchemy_url(url))
    try:
        with watcher.connect() as conn:
            def queued() -> bool:
                locks = conn.execute(text(LOCKS), {"key": f"year|{YEAR}"}).all()
                conn.commit()
                return any(granted for _, granted in locks) and any(not granted for _, granted in locks)

            holder = until("a run inside the recomputation", inside)
            assert len(holder) == 1, holder
            until("the other run queueing for the year", queued)
            assert inside() == holder  # still only the one inside: the other waits
            marks[holder[0]].unlink()  # released: it finishes, and the other gets in
            other = until("the other run inside after the first left", lambda: [n for n in inside() if n != holder[0]])
            marks[other[0]].unlink()
    finally:
        watcher.dispose()
        for m in marks.values():
            m.unlink(missing_ok=True)
        done = [finish(r) for r in runs.values()]
    for d in done:
        assert d.returncode == 0, d.stderr[-3000:]
    assert warehouse_digest(url, output) == reference.warehouse
    assert documents_digest(output) == reference.documents
