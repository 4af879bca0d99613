"""Every school document of the demo region against the warehouse: each high-risk indicator, risk factor at
risk, deficit of the heads' monitoring and status in mart appears in that school's document with a
recommendation or a sentence saying why none applies, and no document says there is no risk where mart
holds one. The demo region (`edu-quality sample` defaults, as `make demo`) is run once for the module."""
from __future__ import annotations

import re
import shutil

import pytest
from sqlalchemy import text

from tests.cli import edu_quality
from tests.documents import consistency

YEAR = 2026
pytestmark = pytest.mark.e2e


def _cli(*args: str):
    return edu_quality(*args, timeout=2400)


# The demo region (`make demo`'s defaults) and a region generated with another seed, as another year.
REGIONS = {"demo": (YEAR, ()), "seed-11": (2031, ("--seed", "11", "--schools", "120", "--municipalities", "6"))}


@pytest.fixture(scope="module", params=sorted(REGIONS))
def demo(request, tmp_path_factory, warehouse):
    year, options = REGIONS[request.param]
    root = tmp_path_factory.mktemp(request.param)
    inbox, output = root / "inbox", root / "output"
    sample = _cli("sample", "--year", str(year), "--out", str(inbox), *options)
    assert sample.returncode == 0, sample.stderr
    run = _cli("run", "--year", str(year), "--inbox", str(inbox), "--output", str(output),
               "--issued-on", f"{year}-11-20")
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return {"output": output, "year": year, "region": request.param,
            "problems": consistency.problems(warehouse, output, year),
            "pages": consistency.school_pages(output, year), "reports": consistency.report_pages(output, year)}


def test_every_school_has_a_document(demo):
    assert len(demo["pages"]) >= (300 if demo["region"] == "demo" else 120)
    assert demo["problems"]["missing_document"] == []


def test_no_document_says_no_risk_where_mart_holds_one(demo):
    assert demo["problems"]["no_risk_claimed"] == []


def test_every_finding_of_mart_is_in_the_document(demo):
    assert demo["problems"]["finding_missing"] == []


def test_every_finding_has_a_recommendation_or_says_why_none(demo):
    assert demo["problems"]["finding_unanswered"] == []


def test_every_recommendation_of_mart_is_in_the_document(demo):
    assert demo["problems"]["recommendation_missing"] == []


def test_every_document_is_in_correct_russian_typography(demo):
    found = {school: consistency.typography_problems(page) for school, page in demo["pages"].items()}
    assert {school: p[:3] for school, p in found.items() if p} == {}


def test_the_head_is_addressed_by_name_and_the_results_are_not_for_teachers(demo, warehouse):
    heads = consistency.head_names(warehouse, demo["year"])
    for school, page in demo["pages"].items():
        text = consistency.visible_text(page)
        assert text.startswith("Адресные рекомендации руководителю общеобразовательной организации"), school
        assert f"Руководитель: {heads.get(school) or 'не указан'}." in text, school
        assert "не используются для оценки деятельности отдельных педагогических работников" in text, school


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler's pdftotext is not installed")
def test_every_pdf_holds_every_word_of_its_html(demo):
    """The PDFs are laid out from the HTML by another engine (documents/pdf.py): read back by poppler, each
    school's PDF and every report's holds each word its HTML shows — nothing dropped, charts' labels included."""
    root = demo["output"] / str(demo["year"])
    htmls = sorted(p for p in root.rglob("*.html") if p.with_suffix(".pdf").exists())
    assert len(htmls) >= len(demo["pages"]) + 3
    missing = {p.name: m[:5] for p in htmls if (m := consistency.words_missing_from_pdf(p))}
    assert missing == {}


def test_every_report_order_and_index_is_in_correct_russian_typography(demo):
    assert len([p for p in demo["reports"] if p.endswith("_проект_распоряжения.html")]) >= 2
    found = {path: consistency.typography_problems(page) for path, page in demo["reports"].items()}
    assert {path: p[:3] for path, p in found.items() if p} == {}


def test_the_public_index_links_no_draft_order_no_school_document_and_no_objectivity_evidence(demo, warehouse):
    public = demo["reports"]["index.html"]
    links = re.findall(r'href="([^"]+)"', public)
    assert links and not any("проект_распоряжения" in link or "рекомендации" in link or "служебное" in link
                             for link in links), links
    with warehouse.connect() as conn:
        evidence = [r[0] for r in conn.execute(text(
            "select biased_evidence_ru from mart.school_status where year = :y and biased_results_suspected"),
            {"y": demo["year"]})]
    assert evidence or demo["region"] != "demo"
    published = [page for path, page in demo["reports"].items() if not path.startswith("служебное/")]
    annexes = [page for path, page in demo["reports"].items() if path.endswith("_служебное_приложение.html")]
    for text_ in evidence:
        assert not any(text_ in page for page in published), text_
        assert any(text_ in page for page in annexes), text_
    internal = demo["reports"]["служебное/index.html"]
    assert "проект_распоряжения" in internal and "рекомендации" in internal


def test_the_expert_review_chooses_the_lowest_on_its_basis_and_the_reports_say_so_truly(demo, warehouse):
    with warehouse.connect() as conn:
        rows = conn.execute(text(
            "select e.municipality_code, e.basis, e.selected, e.monitoring_percent, e.product_score, "
            "s.expert_review_selected from mart.municipal_expertise e join mart.municipality_status s "
            "using (year, municipality_code) where e.year = :y"), {"y": demo["year"]}).all()
    assert rows and all(r.selected == r.expert_review_selected for r in rows)
    basis = {r.basis for r in rows}
    assert len(basis) == 1
    value = "monitoring_percent" if basis == {"municipal_monitoring"} else "product_score"
    chosen = [getattr(r, value) for r in rows if r.selected]
    assert chosen and max(chosen) <= min(getattr(r, value) for r in rows if not r.selected)
    regional = demo["reports"]["региональный_аналитический_отчёт.html"]
    said = "по мотивирующему мониторингу" if basis == {"municipal_monitoring"} else "не представлен"
    assert said in regional
    for path, page in demo["reports"].items():
        assert "наименьший рейтинговый балл" not in page, path
