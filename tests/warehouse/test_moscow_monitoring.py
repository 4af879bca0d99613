"""A described source mapped into the monitoring model: the real Moscow files (byte for byte as published) give
the year's schools and okrugs, the match of the 2013 registry to them, and the ЕГЭ indicators at school, okrug
and city level with last year's values — every expected number worked out here from the files themselves with
the csv module, not by the product's SQL."""
from __future__ import annotations

import csv
import json
import shutil
from collections import defaultdict
from pathlib import Path

import pytest
from sqlalchemy import text

from edu_quality.analysis.rating_agreement import rating_agreement
from edu_quality.config import PATHS
from edu_quality.indicators.compute import compute_year
from edu_quality.pipeline.ingest import ingest_file
from edu_quality.sources.registry import description
from edu_quality.warehouse.resolve import municipality_code, resolve_year

MOSCOW = Path(__file__).resolve().parents[2].parent / "shared" / "real-data" / "moscow"
EGE, REGISTRY, RATING = "data-9722-2016-10-31.csv", "data-20130909T0800.csv", "rating_unicode.txt"
YEAR = 2031   # a year of its own in the session's warehouse (other modules load these files into 2016)
pytestmark = pytest.mark.skipif(not MOSCOW.is_dir(), reason="shared/real-data/moscow is not beside the checkout")


def _published_rows() -> list[dict]:
    with (MOSCOW / EGE).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter=";"))


def _last_year_file(root: Path, rows: list[dict]) -> Path:
    """Last year's ЕГЭ file in the same published format: the first two schools, other counts."""
    header = list(rows[0].keys())[:-1]   # the published header ends with `;`: an empty last name
    lines = [";".join(f'"{h}"' for h in header) + ";"]
    for i, r in enumerate(rows[:2]):
        cells = {**r, "global_id": str(900000 + i), "PASSED_NUMBER_FULL": "50", "PASSES_OVER_220": str(10 + i),
                 "PASSER_UNDER_160": "30", "YEAR": "2029-2030"}
        lines.append(";".join(f'"{cells[h]}"' for h in header) + ";")
    path = root / str(YEAR - 1) / "moscow_ege_2030.csv"
    path.parent.mkdir(parents=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def moscow(tmp_path_factory, warehouse):
    root = tmp_path_factory.mktemp("moscow-monitoring")
    rows = _published_rows()
    last = _last_year_file(root, rows)
    assert ingest_file(warehouse, YEAR - 1, "moscow_ege", last, last.name).rows_loaded == 2
    resolve_year(warehouse, YEAR - 1)
    compute_year(warehouse, YEAR - 1)
    (root / str(YEAR)).mkdir()
    for name in (EGE, REGISTRY):
        shutil.copyfile(MOSCOW / name, root / str(YEAR) / name)
        assert (root / str(YEAR) / name).read_bytes() == (MOSCOW / name).read_bytes()
    ege = ingest_file(warehouse, YEAR, "moscow_ege", root / str(YEAR) / EGE, EGE)
    registry = ingest_file(warehouse, YEAR, "moscow_schools", root / str(YEAR) / REGISTRY, REGISTRY)
    counts = resolve_year(warehouse, YEAR)
    compute_year(warehouse, YEAR)
    with warehouse.connect() as conn:
        values = {(r.level, r.unit_code, r.indicator_code): r for r in conn.execute(text(
            "select level, unit_code, indicator_code, value, numerator, denominator, previous_value "
            "from mart.indicator_values where year = :y and indicator_code like 'moscow_ege_%'"), {"y": YEAR})}
    return {"rows": rows, "ege": ege, "registry": registry, "counts": counts, "values": values}


def test_every_published_row_is_a_school_of_the_year_in_its_okrug(moscow, warehouse):
    assert moscow["counts"]["moscow_ege: key"] == 626
    with warehouse.connect() as conn:
        schools = dict(conn.execute(text("select school_code, municipality_code from core.school where year = :y"),
                                    {"y": YEAR}).all())
        okrugs = dict(conn.execute(text("select municipality_code, municipality_name from core.municipality "
                                        "where year = :y"), {"y": YEAR}).all())
    m = description("moscow_ege").monitoring
    assert schools == {r["OGRN"]: municipality_code(r["AdmArea"], m) for r in moscow["rows"]}
    assert okrugs == {municipality_code(r["AdmArea"], m): r["AdmArea"] for r in moscow["rows"]}
    assert len(okrugs) == 10 and okrugs["ЗелАО"] == "Зеленоградский административный округ"


def test_colleges_and_institutes_with_school_departments_are_recognised(moscow, warehouse):
    with warehouse.connect() as conn:
        kinds = dict(conn.execute(text(
            "select institution_kind, count(*) from mart.school_match where year = :y and source = 'moscow_ege' "
            "group by 1"), {"y": YEAR}).all())
        types = dict(conn.execute(text("select school_code, school_type from core.school where year = :y"),
                                  {"y": YEAR}).all())
    names = {r["OGRN"]: r["EDU_NAME"] for r in moscow["rows"]}
    professional = {o for o, n in names.items() if "профессиональн" in n or "олледж" in n}
    higher = {o for o, n in names.items() if "высшего образования" in n}
    assert kinds == {"school": 626 - len(professional - higher) - len(higher),
                     "college": len(professional - higher), "higher": len(higher)}
    assert len(higher) == 2 and len(professional - higher) >= 20
    assert {types[o] for o in higher} == {"школьное отделение вуза"}
    assert {types[o] for o in professional - higher} == {"школьное отделение колледжа"}


def test_registry_rows_are_matched_unmatched_or_ambiguous_each_with_a_reason(moscow, warehouse):
    registry = moscow["registry"]
    with warehouse.connect() as conn:
        rows = conn.execute(text(
            "select status, school_code, reason_ru, source_name, municipality_code from mart.school_match "
            "where year = :y and source = 'moscow_schools'"), {"y": YEAR}).all()
    assert len(rows) == registry.rows_loaded   # every loaded registry row, and nothing else
    by_status = defaultdict(list)
    for r in rows:
        by_status[r.status].append(r)
        assert r.reason_ru
    assert set(by_status) <= {"matched", "unmatched", "ambiguous"}
    assert all(r.school_code for r in by_status["matched"]) and not any(r.school_code for r in by_status["unmatched"])
    assert len(by_status["matched"]) > 400 and by_status["unmatched"]
    # A matched row: the school of the year has the same number and the same okrug.
    numbers = {r["OGRN"]: (r["EDU_NAME"], r["AdmArea"]) for r in moscow["rows"]}
    m = description("moscow_ege").monitoring
    for r in by_status["matched"][:50]:
        name, okrug = numbers[r.school_code]
        number = r.source_name.split("№")[-1].split()[0] if "№" in r.source_name else None
        if number:
            assert f"№ {number}" in name or f"№{number}" in name
        assert municipality_code(okrug, m) == r.municipality_code


def _expected_share(rows, column):
    num, den = defaultdict(int), defaultdict(int)
    m = description("moscow_ege").monitoring
    for r in rows:
        for unit in (("school", r["OGRN"]), ("municipality", municipality_code(r["AdmArea"], m)),
                     ("region", "region")):
            num[unit] += int(r[column])
            den[unit] += int(r["PASSED_NUMBER_FULL"])
    return num, den


@pytest.mark.parametrize("code,column", [("moscow_ege_share_220plus", "PASSES_OVER_220"),
                                         ("moscow_ege_share_160plus", "PASSER_UNDER_160")])
def test_shares_at_school_okrug_and_city_level(moscow, code, column):
    num, den = _expected_share(moscow["rows"], column)
    values = moscow["values"]
    for (level, unit), n in num.items():
        got = values[(level, unit, code)]
        assert (int(got.numerator), int(got.denominator)) == (n, den[(level, unit)])
        expected = n / den[(level, unit)] * 100 if den[(level, unit)] >= 5 else None
        assert (None if got.value is None else float(got.value)) == pytest.approx(expected)
    assert 0 < float(values[("region", "region", code)].value) < 100


def test_graduates_are_summed_and_last_years_values_are_kept(moscow):
    values, rows = moscow["values"], moscow["rows"]
    assert float(values[("region", "region", "moscow_ege_graduates")].value) == sum(
        int(r["PASSED_NUMBER_FULL"]) for r in rows)
    first, second = rows[0]["OGRN"], rows[1]["OGRN"]
    assert float(values[("school", first, "moscow_ege_share_220plus")].previous_value) == pytest.approx(10 / 50 * 100)
    assert float(values[("school", second, "moscow_ege_share_220plus")].previous_value) == pytest.approx(11 / 50 * 100)
    assert float(values[("school", first, "moscow_ege_graduates")].previous_value) == 50
    assert values[("school", rows[2]["OGRN"], "moscow_ege_share_220plus")].previous_value is None


def _auc(rated: list[float], others: list[float]) -> float:
    """Every pair counted by hand: rated higher 1, tie ½."""
    wins = sum((a > b) + 0.5 * (a == b) for a in rated for b in others)
    return wins / (len(rated) * len(others))


def test_agreement_with_the_official_rating(moscow, warehouse):
    result = rating_agreement(warehouse, YEAR, MOSCOW / RATING, ["moscow_ege_share_220plus"])
    assert result["rated"] == 292 and result["matched"] + len(result["misses"]) == 292
    assert all(m["reason_ru"] for m in result["misses"])
    rated = {m["school_code"] for m in result["matches"]}
    assert len(rated) == result["matched"]   # one school per rated name
    shares = {r["OGRN"]: int(r["PASSES_OVER_220"]) / int(r["PASSED_NUMBER_FULL"]) * 100
              for r in moscow["rows"] if int(r["PASSED_NUMBER_FULL"]) >= 5}
    figures = result["agreement"][0]
    assert figures["auc"] == pytest.approx(_auc([v for o, v in shares.items() if o in rated],
                                                [v for o, v in shares.items() if o not in rated]), abs=1e-4)
    assert 0.70 < figures["auc"] < 0.75 and figures["spearman"] > 0.2
    # The figures the methodology page states are the ones the command gives on the published files.
    recorded = json.loads((PATHS.root / "docs" / "rating_agreement.json").read_text(encoding="utf-8"))
    assert recorded["matched"] == result["matched"]
    assert recorded["agreement"][0]["auc"] == pytest.approx(figures["auc"], abs=1e-4)
    assert recorded["agreement"][0]["spearman"] == pytest.approx(figures["spearman"], abs=1e-4)
