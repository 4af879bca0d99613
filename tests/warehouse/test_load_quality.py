"""mart.load_quality: the data quality of a year's input per source, and the three places that show it
(the run summary, the campaign page, the publication index) showing the same numbers."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import text

from edu_quality.documents.reports import write_publication_index
from edu_quality.orchestration.campaign_page import page_context
from edu_quality.pipeline import steps
from edu_quality.pipeline.ingest import ingest_file
from edu_quality.warehouse.load import withdraw

from .helpers import SCALES_HEADER, SCHOOLS_HEADER, VPR_HEADER, vpr_row, write

YEAR = 2302
BINARY = b"\x00\x01binary"


def _vpr(root, name: str, participants: int, unknown_school: bool = False):
    rows = [vpr_row("Q0001", f"{name}{i}", 1, 3, 3, 3) for i in range(participants)]
    if unknown_school:  # a school not in the year's reference: the row goes to quarantine
        rows.append(vpr_row("Z9999", f"{name}-z", 1, 3, 3, 3))
    return write(root, f"vpr/{name}.csv", [VPR_HEADER] + rows)


@pytest.fixture(scope="module")
def year(tmp_path_factory, warehouse):
    root = tmp_path_factory.mktemp("quality")

    def load(source, name):
        return ingest_file(warehouse, YEAR, source, root / name, name)

    write(root, "schools.csv", [SCHOOLS_HEADER, "Q0001;Школа 1;MO01;Город;СОШ;городская;И. И. Иванов;01.09.2015;100"])
    write(root, "vpr_scales.csv", [SCALES_HEADER, f"{YEAR};Математика;5;10;3;6;9"])
    assert load("schools", "schools.csv").status == "loaded"
    assert load("vpr_scales", "vpr_scales.csv").status == "loaded"
    # a: loaded, then a new version (3 + 1 quarantined rows) replaces it
    _vpr(root, "a", 2)
    assert load("vpr", "vpr/a.csv").status == "loaded"
    _vpr(root, "a", 3, unknown_school=True)
    assert load("vpr", "vpr/a.csv").rows_quarantined == 1
    # b: rejected, then fixed and loaded (2 rows): not «rejected» any more
    (root / "vpr" / "b.csv").write_bytes(BINARY)
    assert load("vpr", "vpr/b.csv").status == "rejected"
    _vpr(root, "b", 2)
    assert load("vpr", "vpr/b.csv").status == "loaded"
    # c: loaded (4 rows), then its new version is rejected: the load stays in effect, the file is «rejected»
    _vpr(root, "c", 4)
    assert load("vpr", "vpr/c.csv").status == "loaded"
    (root / "vpr" / "c.csv").write_bytes(BINARY)
    assert load("vpr", "vpr/c.csv").status == "rejected"
    # d: only ever rejected; e: loaded, then gone from the inbox (withdrawn: not counted)
    (root / "vpr" / "d.csv").write_bytes(BINARY)
    assert load("vpr", "vpr/d.csv").status == "rejected"
    _vpr(root, "e", 5)
    assert load("vpr", "vpr/e.csv").status == "loaded"
    present = [("schools", "schools.csv"), ("vpr_scales", "vpr_scales.csv")] + [
        ("vpr", f"vpr/{n}.csv") for n in "abcd"]
    assert withdraw(warehouse, YEAR, present) == ["vpr/e.csv"]
    with warehouse.connect() as conn:
        quality = {r["source"]: dict(r) for r in conn.execute(text(
            "select * from mart.load_quality where year = :y"), {"y": YEAR}).mappings()}
    return {"root": root, "quality": quality}


def test_counts_loads_in_effect_and_each_files_latest_rejection(year, warehouse):
    vpr = year["quality"]["vpr"]
    assert (vpr["files"], vpr["files_loaded"], vpr["files_rejected"]) == (4, 3, 2)  # a b c d; a b c; c d
    assert (vpr["rows_read"], vpr["rows_loaded"], vpr["rows_quarantined"]) == (4 + 2 + 4, 3 + 2 + 4, 1)
    assert float(vpr["quarantined_pct"]) == pytest.approx(10.0)
    with warehouse.connect() as conn:  # the same rows, counted in the tables themselves
        loaded = conn.execute(text("select count(*) from core.vpr_result where year = :y"), {"y": YEAR}).scalar_one()
        quarantined = conn.execute(text("select count(*) from mart.quarantine where year = :y and source = 'vpr'"),
                                   {"y": YEAR}).scalar_one()
    assert (loaded, quarantined) == (vpr["rows_loaded"], vpr["rows_quarantined"])
    assert year["quality"]["schools"]["files_rejected"] == 0 and year["quality"]["schools"]["rows_read"] == 1


def test_summary_campaign_page_and_index_show_the_view(year, warehouse):
    quality = year["quality"]
    summary = steps.summarize(YEAR, str(year["root"] / "output"), None)
    assert summary["files_read"] == sum(q["files"] for q in quality.values()) == 6
    assert summary["files_loaded"] == sum(q["files_loaded"] for q in quality.values()) == 5
    assert summary["files_rejected"] == 2 == len(summary["rejected"])
    assert sorted(r["file_name"] for r in summary["rejected"]) == ["vpr/c.csv", "vpr/d.csv"]
    assert (summary["rows_read"], summary["rows_quarantined"]) == (1 + 1 + 10, 1)

    page = {q["source"]: q for q in page_context(warehouse, YEAR)["quality"]}
    assert page["vpr"] == {"source": "vpr", "files": 3, "rejected": 2, "rows_read": 10, "rows_quarantined": 1}

    index = write_publication_index(warehouse, YEAR, year["root"] / "output").read_text(encoding="utf-8")
    cells = re.search(r"<td>vpr</td>(.*?)</tr>", index, re.S).group(1)
    assert re.findall(r'<td class="num">(\d+)</td>', cells) == ["3", "2", "10", "9", "1"]


def test_the_view_and_each_column_are_described(warehouse):
    with warehouse.connect() as conn:
        assert conn.execute(text("select obj_description('mart.load_quality'::regclass, 'pg_class')")).scalar_one()
        missing = conn.execute(text(
            "select a.attname from pg_attribute a where a.attrelid = 'mart.load_quality'::regclass "
            "and a.attnum > 0 and not a.attisdropped and col_description(a.attrelid, a.attnum) is null")).all()
    assert missing == []
