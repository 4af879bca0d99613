"""What the analysts' interface says about the generated region (tests/analysis/conftest.py: 80 schools, two years,
planted stories) is what it said when `mart_digest.json` was recorded: every mart view with a `year` column, row by
row. A change that is meant to leave results alone (a faster reader, a bounded-memory analysis, COPY writes) is
shown to by this test; a change that is meant to change them re-records the file, and the diff says which views
moved:

    EDU_QUALITY_RECORD_MART_DIGEST=1 .venv/bin/pytest tests/analysis/test_mart_digest.py
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest
from sqlalchemy import text

from .conftest import FIXED_ANOMALY_SEED, NEXT, YEAR, anomaly_seed

DIGEST_FILE = Path(__file__).with_name("mart_digest.json")
# Columns that say which load or run wrote a row, or where the output folder was: not what the row says.
VOLATILE_COLUMNS = {"load_id", "reference_loads", "run_id", "path", "loaded_at", "computed_at"}
# Columns counted from today's date (current_date in the view), which move whatever the data.
TODAY_COLUMNS = {"campaign_status": {"days_to_deadline"}, "campaign_reminders": {"days_to_deadline"},
                 "follow_up": {"status_ru", "late"}}
# Numbers are compared to 6 decimal places: a reader that returns floats instead of decimals may move the 15th.
NUMERIC_TYPES = {"numeric", "double precision", "real"}


def mart_digest(engine) -> dict[str, dict]:
    with engine.connect() as conn:
        columns = conn.execute(text(
            "select c.table_name, array_agg(c.column_name::text order by c.ordinal_position), "
            "       array_agg(c.data_type::text order by c.ordinal_position) "
            "from information_schema.columns c where c.table_schema = 'mart' "
            "  and c.data_type not in ('timestamp with time zone', 'timestamp without time zone') "
            "  and c.table_name in (select table_name from information_schema.columns "
            "                       where table_schema = 'mart' and column_name = 'year') "
            "group by 1 order by 1")).all()
        digest = {}
        for view, names, types in columns:
            kept = [(n, t) for n, t in zip(names, types)
                    if n not in VOLATILE_COLUMNS | TODAY_COLUMNS.get(view, set())]
            selected = ", ".join(f"round({n}::numeric, 6)::text" if t in NUMERIC_TYPES else f"{n}::text"
                                 for n, t in kept)
            rows = conn.execute(text(f"select {selected} from mart.{view} where year = any(:years)"),
                                {"years": [YEAR, NEXT]}).all()
            lines = sorted("\x1f".join("\x00" if v is None else v for v in row) for row in rows)
            digest[view] = {"rows": len(lines), "sha256": hashlib.sha256("\n".join(lines).encode()).hexdigest()}
    return digest


@pytest.mark.skipif(anomaly_seed() != FIXED_ANOMALY_SEED,
                    reason="the digest is of the region with the fixed anomaly seed (a seed is set)")
def test_the_mart_says_what_it_said_when_recorded(region):
    digest = mart_digest(region.engine)
    if os.environ.get("EDU_QUALITY_RECORD_MART_DIGEST") == "1":
        DIGEST_FILE.write_text(json.dumps(digest, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                               encoding="utf-8")
        pytest.skip(f"recorded {DIGEST_FILE.name}: {len(digest)} views")
    recorded = json.loads(DIGEST_FILE.read_text(encoding="utf-8"))
    assert sum(v["rows"] for v in digest.values()) > 10_000  # it compares something
    assert sorted(digest) == sorted(recorded)
    moved = {view: (recorded[view], digest[view]) for view in digest if digest[view] != recorded[view]}
    assert not moved, f"views whose rows differ from the recorded digest: {moved}"
