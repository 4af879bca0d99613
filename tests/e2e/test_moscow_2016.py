"""Moscow as a second, real region, end to end: the published open-data files, byte for byte, in an inbox year
2016; `edu-quality run` through Airflow; then the school, okrug and city indicator values, the match report,
the okrug and city documents, and `edu-quality agreement` against the official rating. Expected numbers are
worked out here from the files with the csv module."""
from __future__ import annotations

import csv
import re
import shutil
from collections import defaultdict
from pathlib import Path

import pytest
from sqlalchemy import text

from edu_quality.formatting import cell
from edu_quality.sources.registry import description
from edu_quality.warehouse.resolve import municipality_code
from tests.cli import edu_quality

MOSCOW = Path(__file__).resolve().parents[2].parent / "shared" / "real-data" / "moscow"
EGE, REGISTRY, RATING = "data-9722-2016-10-31.csv", "data-20130909T0800.csv", "rating_unicode.txt"
YEAR = 2016
pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(not MOSCOW.is_dir(), reason="shared/real-data/moscow is not beside the checkout")]


def _published() -> list[dict]:
    with (MOSCOW / EGE).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter=";"))


@pytest.fixture(scope="module")
def moscow(tmp_path_factory, warehouse):
    root = tmp_path_factory.mktemp("moscow-2016")
    inbox, output = root / "inbox", root / "output"
    (inbox / str(YEAR)).mkdir(parents=True)
    for name in (EGE, REGISTRY):
        shutil.copyfile(MOSCOW / name, inbox / str(YEAR) / name)
        assert (inbox / str(YEAR) / name).read_bytes() == (MOSCOW / name).read_bytes()
    run = edu_quality("run", "--year", str(YEAR), "--inbox", str(inbox), "--output", str(output),
                      "--issued-on", "2016-12-01", timeout=5400)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    agreement = edu_quality("agreement", "--year", str(YEAR), "--rating", str(MOSCOW / RATING), timeout=600)
    assert agreement.returncode == 0, agreement.stderr[-3000:]
    return {"stdout": run.stdout, "output": output / str(YEAR), "agreement": agreement.stdout, "rows": _published()}


def _expected(rows: list[dict], column: str) -> dict:
    m = description("moscow_ege").monitoring
    num, den = defaultdict(int), defaultdict(int)
    for r in rows:
        for unit in (("school", r["OGRN"]), ("municipality", municipality_code(r["AdmArea"], m)), ("region", "region")):
            num[unit] += int(r[column])
            den[unit] += int(r["PASSED_NUMBER_FULL"])
    return {u: (num[u] / den[u] * 100 if den[u] >= 5 else None) for u in num}


def test_the_run_says_what_it_matched_and_what_it_cannot_analyse(moscow):
    out = moscow["stdout"]
    assert "сопоставление школ:" in out and "moscow_ege: key — 626" in out
    assert "не рассчитано:         Объективность результатов ВПР — нет протоколов ВПР" in out
    assert "ОО в неблагоприятных социальных условиях — нет сведений о контингенте" in out


@pytest.mark.parametrize("code,column", [("moscow_ege_share_220plus", "PASSES_OVER_220"),
                                         ("moscow_ege_share_160plus", "PASSER_UNDER_160"),
                                         ("moscow_ege_graduates", None)])
def test_indicator_values_at_school_okrug_and_city_level(moscow, warehouse, code, column):
    with warehouse.connect() as conn:
        got = {(r.level, r.unit_code): (None if r.value is None else float(r.value)) for r in conn.execute(text(
            "select level, unit_code, value from mart.indicator_values where year = :y and indicator_code = :c"),
            {"y": YEAR, "c": code})}
    rows = moscow["rows"]
    if column is None:   # a count: summed
        m = description("moscow_ege").monitoring
        expected = defaultdict(int)
        for r in rows:
            for unit in (("school", r["OGRN"]), ("municipality", municipality_code(r["AdmArea"], m)),
                         ("region", "region")):
                expected[unit] += int(r["PASSED_NUMBER_FULL"])
    else:
        expected = _expected(rows, column)
    assert set(got) == set(expected) and len([u for u in got if u[0] == "municipality"]) == 10
    for unit, value in expected.items():
        assert got[unit] == pytest.approx(value), unit


def test_match_report(moscow, warehouse):
    with warehouse.connect() as conn:
        counts = dict(conn.execute(text(
            "select source || ': ' || status, count(*) from mart.school_match where year = :y group by 1"),
            {"y": YEAR}).all())
        registry = conn.execute(text("select rows_loaded from mart.load_log where year = :y and source = "
                                     "'moscow_schools' and status = 'loaded'"), {"y": YEAR}).scalar_one()
    assert counts["moscow_ege: key"] == 626
    assert sum(v for k, v in counts.items() if k.startswith("moscow_schools")) == registry == 1188
    assert counts["moscow_schools: matched"] > 400 and counts["moscow_schools: unmatched"] > 0
    with (moscow["output"] / "сопоставление_школ.csv").open(encoding="utf-8-sig", newline="") as f:
        lines = list(csv.DictReader(f, delimiter=";"))
    assert len(lines) == 626 + 1188 and all(line["Основание"] for line in lines)
    assert {line["Результат"] for line in lines} >= {"key", "matched", "unmatched"}


def _text(path: Path) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8")))


def test_okrug_reports(moscow, warehouse):
    with warehouse.connect() as conn:
        okrugs = dict(conn.execute(text("select municipality_code, municipality_name from core.municipality "
                                        "where year = :y"), {"y": YEAR}).all())
        values = dict(conn.execute(text(
            "select unit_code, value from mart.indicator_values where year = :y and level = 'municipality' "
            "and indicator_code = 'moscow_ege_share_220plus'"), {"y": YEAR}).all())
    assert len(okrugs) == 10
    for code, name in okrugs.items():
        report = moscow["output"] / code / f"{code}_аналитическая_справка.html"
        assert report.is_file() and report.with_suffix(".pdf").stat().st_size > 10_000
        page = _text(report)
        assert name in page and "Доля выпускников, набравших 220 баллов и более по трём предметам ЕГЭ" in page
        assert cell(float(values[code]), "%") in page
        # The schools' positions (quartiles, not ranks) and their distribution on Moscow's own indicators.
        positions = page.split("6. Положение школ относительно распределения по региону", 1)[1].split("7. ", 1)[0]
        assert "Доля выпускников, набравших 220 баллов" in positions
        assert any(q in positions for q in ("в худшей четверти", "в лучшей четверти"))
        assert "Распределение школ МО: Доля выпускников, набравших 160 баллов" in positions


def test_city_report(moscow):
    report = moscow["output"] / "региональный_аналитический_отчёт.html"
    assert report.with_suffix(".pdf").stat().st_size > 10_000
    page = _text(report)
    assert "Общеобразовательных организаций: 626" in page
    assert "6. Данные года: что рассчитано и чего нет" in page
    for missing in ("Объективность результатов ВПР", "Успешные практики", "Результативность мер"):
        assert missing in page
    assert "Доля выпускников, набравших 220 баллов" in page   # the okrugs' table shows the indicators there are
    assert "колледжи со школьными отделениями" in page and "вузы со школьными отделениями" in page


def test_agreement_with_the_official_rating(moscow):
    out = moscow["agreement"]
    m = re.search(r"292 мест, сопоставлено со школами 2016 года (\d+), не сопоставлено (\d+)", out)
    assert m and int(m[1]) + int(m[2]) == 292 and int(m[1]) >= 240
    auc = float(re.search(r"moscow_ege_share_220plus: .*AUC ([\d.]+)", out)[1])
    rho = float(re.search(r"moscow_ege_share_220plus: .*Спирмен среди рейтинговых ([\d.-]+)", out)[1])
    assert 0.70 <= auc <= 0.75 and rho > 0.2
    assert out.count("не сопоставлено: ") == int(m[2])
