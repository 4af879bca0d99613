"""Two runs of the same year at once (a manual run next to the scheduled one): the year's recomputation
is held by one run at a time (pipeline/steps.py, a PostgreSQL advisory lock on the year), and both
finish with what one uninterrupted run gives."""
from __future__ import annotations

import time

from sqlalchemy import create_engine, text

from edu_quality.warehouse.connection import sqlalchemy_url

from .support import YEAR, documents_digest, finish, start_cycle, warehouse_digest

HOLD = 3.0  # seconds each run sits inside its recomputation of the indicators, holding the year

# The year's advisory lock as pg_locks shows it: a 64-bit key split over classid and objid.
LOCKS = """
select l.pid, l.granted from pg_locks l
where l.locktype = 'advisory' and l.objsubid = 1
  and ((l.classid::bigint << 32) | l.objid::bigint) = hashtextextended(:key, 0)
"""


def test_two_runs_of_one_year_never_interleave(databases, loaded, inbox, tmp_path, reference):
    _, url = databases("rel_concurrent", template=loaded)
    output = tmp_path / "output"
    marks = [tmp_path / "first", tmp_path / "second"]
    runs = [start_cycle(url, inbox, output, failpoint=f"indicators.computed:3@sleep={HOLD}", mark=m)
            for m in marks]
    reached: dict[str, float] = {}
    waits_seen = 0
    watcher = create_engine(sqlalchemy_url(url))
    try:
        with watcher.connect() as conn:
            while any(r.poll() is None for r in runs):
                for m in marks:
                    if m.name not in reached and m.exists() and m.read_text().strip():
                        reached[m.name] = time.monotonic()
                locks = conn.execute(text(LOCKS), {"key": f"year|{YEAR}"}).all()
                conn.commit()
                # One run holds the year, the other queues for it.
                if any(granted for _, granted in locks) and any(not granted for _, granted in locks):
                    waits_seen += 1
                time.sleep(0.05)
    finally:
        watcher.dispose()
        done = [finish(r) for r in runs]
    for d in done:
        assert d.returncode == 0, d.stderr[-3000:]
    assert waits_seen > 0, "the second run never waited for the year"
    # The second run reached the inside of the recomputation only after the first had left it.
    assert len(reached) == 2
    assert abs(reached["first"] - reached["second"]) >= HOLD * 0.9, reached
    assert warehouse_digest(url, output) == reference.warehouse
    assert documents_digest(output) == reference.documents
