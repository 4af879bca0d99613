"""Every output a spreadsheet or a browser opens is safe whatever the input's text: a school named with a live
formula, a script, a template expression, an ampersand, quotes and a Word XML closing tag goes through the whole
cycle (its own documents, its municipality's report and order, the publication index, the reminders list)."""
from __future__ import annotations

import csv
import shutil
import zipfile
from xml.dom import minidom

import pytest

from sample_region import generate
from tests.documents.consistency import pdf_text
from tests.reliability.cycle import run_cycle

YEAR = 2063
FRAGMENTS = ('=HYPERLINK("http://evil.example","Школа")', "<script>alert(1)</script>", "{{ 7*7 }}", "&", '"кавычки"',
             "</w:t>")
HOSTILE = " ".join(FRAGMENTS)


@pytest.fixture(scope="module")
def cycle(tmp_path_factory, warehouse):
    root = tmp_path_factory.mktemp("hostile_names")
    generate(YEAR, root / "inbox", seed=5, schools=8, municipalities=2, students_per_class=8)
    schools = root / "inbox" / str(YEAR) / "schools.csv"
    text = schools.read_bytes().decode("cp1251")
    lines = text.split("\r\n")
    cells = lines[1].split(";")
    code, cells[1] = cells[0], '"' + HOSTILE.replace('"', '""') + '"'
    lines[1] = ";".join(cells)
    schools.write_bytes("\r\n".join(lines).encode("cp1251", errors="strict"))
    # The school also misses its self-evaluation, so it is on the reminders list a methodologist opens in Excel.
    for path in (root / "inbox" / str(YEAR)).glob("self_evaluation.*"):
        raw = path.read_bytes()
        encoding = "utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "utf-8"
        kept = [line for line in raw.decode(encoding).splitlines(keepends=True) if code not in line]
        path.write_bytes("".join(kept).encode(encoding))
    run_cycle(YEAR, str(root / "inbox"), str(root / "out"), f"{YEAR}-12-01")
    from edu_quality.pipeline import steps

    steps.reminders(YEAR, str(root / "out"))
    return root / "out" / str(YEAR), code


def test_the_name_is_stored_literally(cycle, warehouse):
    from sqlalchemy import text

    _, code = cycle
    with warehouse.connect() as conn:
        name = conn.execute(text("select school_name from core.school where year = :y and school_code = :c"),
                            {"y": YEAR, "c": code}).scalar_one()
    assert name == HOSTILE


def test_html_escapes_it_everywhere(cycle):
    out, code = cycle
    pages = [p for p in out.rglob("*.html") if code in p.name or p.name.endswith(("справка.html", "распоряжения.html"))
             or p.name == "index.html"]
    assert len(pages) >= 3
    shown = 0
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert "<script>alert(1)</script>" not in html and "</w:t>" not in html, page
        assert "{{ 7*7 }}" not in html or "49" not in html.split("{{ 7*7 }}")[0][-5:], page
        shown += "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert shown >= 1  # the name is shown, as text


def test_docx_stays_valid_xml(cycle):
    out, code = cycle
    documents = [p for p in out.rglob("*.docx") if code in p.name] + list(out.rglob("*распоряжения.docx"))
    assert documents
    for path in documents:
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                if name.endswith(".xml"):
                    minidom.parseString(z.read(name))  # raises on broken XML


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler's pdftotext is not installed")
def test_the_pdf_shows_the_name_as_text(cycle):
    """The PDF is laid out from the escaped HTML: the name's markup is shown as text, never read as ReportLab's."""
    out, code = cycle
    pdf = next(out.rglob(f"{code}_рекомендации.pdf"))
    shown = " ".join(pdf_text(pdf).split())
    assert "<script>alert(1)</script>" in shown and "{{ 7*7 }}" in shown and "</w:t>" in shown


def test_the_reminders_list_holds_no_live_formula(cycle):
    out, code = cycle
    path = out / "напоминания_о_непредставленных_данных.csv"
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f, delimiter=";"))
    cells = [c for row in rows[1:] for c in row]
    assert "'" + HOSTILE in cells  # the school is on the list, its name as text
    live = [c for c in cells
            if c.startswith(("=", "+", "@", "\t", "\r")) or (c.startswith("-") and not c[1:].isdigit())]
    assert live == []
