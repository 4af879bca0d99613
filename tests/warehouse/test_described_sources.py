"""Sources described in YAML: the real Moscow open data loads through include/sources/*.yaml with the
same reader, Great Expectations and loader as the contract's sources."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import text

from edu_quality.pipeline.inbox import discover
from edu_quality.pipeline.ingest import ingest_file
from edu_quality.sources.description import descriptions

MOSCOW = Path(__file__).resolve().parents[2].parent / "shared" / "real-data" / "moscow"
EGE = "data-9722-2016-10-31.csv"
REGISTRY = "data-20130909T0800.csv"
pytestmark = pytest.mark.skipif(not MOSCOW.is_dir(), reason="shared/real-data/moscow is not beside the checkout")


@pytest.fixture(scope="module")
def moscow(tmp_path_factory, warehouse):
    inbox = tmp_path_factory.mktemp("moscow")
    (inbox / "2016").mkdir()
    for name in (EGE, REGISTRY):
        shutil.copyfile(MOSCOW / name, inbox / "2016" / name)
    found = discover(inbox, 2016)
    assert found["moscow_ege"] == [EGE] and found["moscow_schools"] == [REGISTRY]
    return {s: ingest_file(warehouse, 2016, s, inbox / "2016" / found[s][0], found[s][0])
            for s in ("moscow_ege", "moscow_schools")}


def test_descriptions_are_valid():
    sources = descriptions()
    assert {"moscow_ege", "moscow_schools"} <= set(sources)
    notes = [e["meta"].get("notes") for e in sources["moscow_ege"].expectations()]
    assert "PASSES_OVER_220 <= PASSER_UNDER_160" in notes and "PASSER_UNDER_160 <= PASSED_NUMBER_FULL" in notes


def test_ege_file_loads_whole(moscow, warehouse):
    stats = moscow["moscow_ege"]
    assert (stats.rows_read, stats.rows_loaded, stats.rows_quarantined) == (626, 626, 0)
    with warehouse.connect() as conn:
        okrugs, violations = conn.execute(text(
            "select count(distinct adm_area), count(*) filter (where not (passes_over_220 <= passer_160_plus "
            "and passer_160_plus <= passed_number_full)) from ext.moscow_ege where load_id = :id"),
            {"id": stats.load_id}).one()
    assert okrugs == 10 and violations == 0


def test_registry_quarantine_is_explained(moscow, warehouse):
    stats = moscow["moscow_schools"]
    assert stats.rows_read == 1230 and stats.rows_read == stats.rows_loaded + stats.rows_quarantined
    with warehouse.connect() as conn:
        reasons = dict(conn.execute(text(
            "select rules[1], count(*) from mart.quarantine where load_id = :id group by 1"),
            {"id": stats.load_id}).all())
        coords = conn.execute(text("select min(latitude), max(latitude) from ext.moscow_schools "
                                   "where load_id = :id"), {"id": stats.load_id}).one()
    # 40 schools with no okrug, 2 with the short name «Центральный»: neither can be placed in a municipality.
    assert reasons == {"required_missing": 40, "not_in_set": 2}
    assert 55 < float(coords[0]) < float(coords[1]) < 56.2  # decimal commas read as numbers


def test_the_ordering_rule_fails_and_passes(tmp_path, warehouse):
    lines = (MOSCOW / EGE).read_text(encoding="utf-8").splitlines()
    header, first, second = lines[0], lines[1], lines[2]
    cells = first.split(";")
    cells[9], cells[10] = '"90"', '"80"'  # PASSES_OVER_220 > PASSER_UNDER_160
    path = tmp_path / "moscow_ege_broken.csv"
    path.write_text("\n".join([header, ";".join(cells), second]) + "\n", encoding="utf-8")
    stats = ingest_file(warehouse, 2017, "moscow_ege", path, path.name)
    assert (stats.rows_loaded, stats.rows_quarantined) == (1, 1)
    with warehouse.connect() as conn:
        row = conn.execute(text("select row_number, column_name, rules from mart.quarantine where load_id = :id"),
                           {"id": stats.load_id}).one()
    assert (row.row_number, row.column_name, row.rules) == (2, "PASSES_OVER_220", ["out_of_range"])
