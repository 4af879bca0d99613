"""Indicator values checked against numbers worked out by hand (not by the same SQL)."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from edu_quality.indicators.catalog import load_catalog
from edu_quality.indicators.compute import compute_year
from edu_quality.pipeline.ingest import ingest_file

from .helpers import SCALES_HEADER, SCHOOLS_HEADER, VPR_HEADER, vpr_row, write

YEAR = 2011


@pytest.fixture(scope="module")
def values(tmp_path_factory, warehouse):
    root = tmp_path_factory.mktemp("ind")
    for year in (YEAR - 1, YEAR):
        write(root / str(year), "schools.csv", [
            SCHOOLS_HEADER,
            "B0001;Школа 1;MO01;Город;СОШ;городская;И. И. Иванов;01.09.2015;100",
            "B0002;Школа 2;MO01;Город;СОШ;городская;П. П. Петров;01.09.2015;100",
            "B0003;Школа 3;MO02;Район;ООШ;сельская;С. С. Сидоров;01.09.2015;50"])
        write(root / str(year), "vpr_scales.csv", [SCALES_HEADER, f"{year};Математика;5;10;3;6;9"])
        ingest_file(warehouse, year, "schools", root / str(year) / "schools.csv", "schools.csv")
        ingest_file(warehouse, year, "vpr_scales", root / str(year) / "vpr_scales.csv", "vpr_scales.csv")
    # Last year: B0001 has 5 works, two «2».  This year: marks below.
    write(root / str(YEAR - 1), "vpr/a.csv", [VPR_HEADER] + [
        vpr_row("B0001", f"Q{i}", 1, t, m, m) for i, (t, m) in enumerate([(1, 2), (1, 2), (3, 3), (5, 4), (8, 5)])])
    # B0001: marks 2,2,3,4,5,5 (6 works); journal 3,2,3,5,5,3 → lowered 2 (2<3, 4<5), confirmed 3, raised 1 (5>3)
    #        |diff| >= 2: (5 vs 3) → 1
    # B0002: marks 3,3,4,4,5 (5 works); journal 3,3,4,4,2 → confirmed 4, raised 1 (5 vs 2, diff 3)
    # B0003: marks 2,3 (2 works: below min_denominator 5 → no school value, but counted in aggregates)
    rows = [("B0001", 1, 1, 2, 3), ("B0001", 1, 1, 2, 2), ("B0001", 1, 3, 3, 3), ("B0001", 1, 5, 4, 5),
            ("B0001", 2, 7, 5, 5), ("B0001", 2, 8, 5, 3),
            ("B0002", 1, 3, 3, 3), ("B0002", 1, 2, 3, 3), ("B0002", 1, 5, 4, 4), ("B0002", 2, 5, 4, 4),
            ("B0002", 2, 8, 5, 2),
            ("B0003", 1, 1, 2, None), ("B0003", 1, 2, 3, 3)]
    write(root / str(YEAR), "vpr/a.csv", [VPR_HEADER] + [
        vpr_row(s, f"R{i}", t1, t2, m, j) for i, (s, t1, t2, m, j) in enumerate(rows)])
    for year in (YEAR - 1, YEAR):
        stats = ingest_file(warehouse, year, "vpr", root / str(year) / "vpr/a.csv", "vpr/a.csv")
        assert stats.rows_quarantined == 0
        compute_year(warehouse, year)
    with warehouse.connect() as conn:
        rows = conn.execute(text(
            "select level, unit_code, indicator_code, value, numerator, denominator, previous_value, change "
            "from mart.indicator_values where year = :y"), {"y": YEAR}).mappings().all()
    return {(r["level"], r["unit_code"], r["indicator_code"]): r for r in rows}


def v(values, level, unit, code):
    value = values[(level, unit, code)]["value"]
    return None if value is None else float(value)


def test_shares_of_marks_at_three_levels(values):
    assert v(values, "school", "B0001", "vpr_share_mark_2") == pytest.approx(2 / 6 * 100)
    assert v(values, "school", "B0002", "vpr_share_mark_2") == pytest.approx(0.0)
    assert v(values, "school", "B0003", "vpr_share_mark_2") is None  # 2 works < minimum group of 5
    # Ratio of sums: MO01 = (2+0)/(6+5); region = (2+0+1)/(6+5+2)
    assert v(values, "municipality", "MO01", "vpr_share_mark_2") == pytest.approx(2 / 11 * 100)
    assert v(values, "region", "region", "vpr_share_mark_2") == pytest.approx(3 / 13 * 100)
    assert v(values, "school", "B0001", "vpr_share_marks_4_5") == pytest.approx(3 / 6 * 100)
    assert v(values, "region", "region", "vpr_average_mark") == pytest.approx(
        (2 + 2 + 3 + 4 + 5 + 5 + 3 + 3 + 4 + 4 + 5 + 2 + 3) / 13)


def test_objectivity_shares(values):
    assert v(values, "school", "B0001", "vpr_share_lowered") == pytest.approx(2 / 6 * 100)
    assert v(values, "school", "B0001", "vpr_share_confirmed") == pytest.approx(3 / 6 * 100)
    assert v(values, "school", "B0001", "vpr_share_raised") == pytest.approx(1 / 6 * 100)
    assert v(values, "school", "B0002", "vpr_share_mark_gap_2plus") == pytest.approx(1 / 5 * 100)
    # B0003 has one work with a journal mark: the region's denominator counts only those: 6 + 5 + 1
    assert float(values[("region", "region", "vpr_share_confirmed")]["denominator"]) == 12


def test_previous_year_and_change(values):
    row = values[("school", "B0001", "vpr_share_mark_2")]
    assert float(row["previous_value"]) == pytest.approx(2 / 5 * 100)
    assert float(row["change"]) == pytest.approx(2 / 6 * 100 - 2 / 5 * 100)
    assert values[("school", "B0002", "vpr_share_mark_2")]["previous_value"] is None


def test_catalogue_metadata_is_complete():
    catalog = load_catalog()
    assert len(catalog) >= 7
    for ind in catalog:
        assert "/" in ind.formula_ru and ind.name_ru and ind.direction_name_ru
