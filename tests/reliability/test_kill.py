"""A real SIGKILL in the middle of a file load, of the indicators, of the analysis and of the documents
(edu_quality.faults): the process dies with nothing cleaned up, and a rerun leaves the warehouse and the
documents exactly as a run that was never interrupted."""
from __future__ import annotations

import signal

from sqlalchemy import create_engine, text

from edu_quality.warehouse.connection import sqlalchemy_url

from .support import KEEP, YEAR, documents_digest, run_cycle, warehouse_digest

KILLED = -signal.SIGKILL
LOAD_KILL = "load.before_commit:4"


def _scalar(url: str, sql: str):
    engine = create_engine(sqlalchemy_url(url))
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql), {"y": YEAR}).scalar_one()
    finally:
        engine.dispose()


def _rerun_matches_reference(url, inbox, output, reference):
    again = run_cycle(url, inbox, output)
    assert again.returncode == 0, again.stderr[-3000:]
    assert warehouse_digest(url, output) == reference.warehouse
    assert documents_digest(output) == reference.documents


def test_kill_between_copy_and_commit_of_a_file_load(databases, inbox, tmp_path, reference):
    # From an empty warehouse: the fourth file's rows are COPYed into core (its earlier rows deleted) when
    # the process is killed, before its commit.
    _, url = databases("rel_kill_load")
    output = tmp_path / "output"
    killed = run_cycle(url, inbox, output, failpoint=LOAD_KILL)
    assert killed.returncode == KILLED, killed.stderr[-3000:]
    # Three files loaded; of the fourth nothing at all: no log row, no rows, no quarantine.
    assert _scalar(url, "select count(*) from core.load_log where year = :y") == 3
    assert _scalar(url, "select count(*) from core.vpr_result where year = :y") == 0
    assert _scalar(url, "select count(*) from core.indicator_value where year = :y") == 0
    assert not output.exists()
    _rerun_matches_reference(url, inbox, output, reference)
    # Every file once: loaded once, read = loaded + quarantined.
    assert _scalar(url, "select count(*) from core.load_log where status = 'loaded'") == len(KEEP)
    assert _scalar(url, "select count(*) from core.load_log where rows_read <> rows_loaded + rows_quarantined") == 0


# Killed one after another, each rerun getting one step further: the year's indicators deleted and the
# first five recomputed; the signals, verdicts and statuses of the analysis replaced, the rest not yet;
# three schools' documents on disk (the workers writing more), none yet recorded.
CHAIN = [("indicators.computed:5", "select count(*) from core.indicator_value where year = :y"),
         ("analysis.stored", "select count(*) from core.school_status where year = :y"),
         ("documents.school:3", "select count(*) from core.document where year = :y")]


def test_kills_in_transformations_and_a_document_run(databases, loaded, inbox, tmp_path, reference):
    _, url = databases("rel_kill_chain", template=loaded)
    output = tmp_path / "output"
    for failpoint, partial in CHAIN:
        killed = run_cycle(url, inbox, output, failpoint=failpoint)
        assert killed.returncode == KILLED, (failpoint, killed.stderr[-3000:])
        # The killed step's transaction is gone whole: nothing of it is visible ...
        assert _scalar(url, partial) == 0, failpoint
    # ... and the steps before it were committed (each kill came one step later than the one before).
    assert _scalar(url, "select count(*) from core.indicator_value where year = :y") > 0
    assert _scalar(url, "select count(*) from core.school_status where year = :y") > 0
    # Every document on disk is whole and the reference's own: each is written aside (`.part`, which a
    # worker killed mid-write may leave, and the rerun's write of the same document replaces) and renamed.
    written = {p: h for p, h in documents_digest(output).items() if not p.endswith(".part")}
    assert 0 < len(written) < len(reference.documents)
    assert written == {p: reference.documents[p] for p in written}
    _rerun_matches_reference(url, inbox, output, reference)


# Every real SIGKILL these tests inject (docs/reliability.md counts them).
KILLS = [LOAD_KILL, *(failpoint for failpoint, _ in CHAIN)]
