"""The whole thin slice: a generated region, `edu-quality run` through Airflow on the real embedded
PostgreSQL, then what landed in the warehouse and on disk."""
from __future__ import annotations

import hashlib
import html
import json
import re
import shutil

import docx
import pytest
from sqlalchemy import text

from edu_quality.formatting import quotes_ru
from tests.cli import edu_quality
from tests.documents.consistency import pdf_text, words_missing_from_pdf

YEAR = 2025
pytestmark = pytest.mark.e2e


def _cli(*args: str):
    return edu_quality(*args, timeout=900)


def _warehouse_digest(engine) -> str:
    """A fingerprint of what the cycle produced (ids and timestamps left out)."""
    queries = [
        "select year, source, file_name, sha256, rows_read, rows_loaded, rows_quarantined, status "
        "from mart.load_log order by 1, 2, 3, 8",
        "select year, source, file_name, row_number, column_name, reason from mart.quarantine order by 1, 2, 3, 4",
        "select year, level, unit_code, indicator_code, value, numerator, denominator "
        "from mart.indicator_values order by 1, 2, 3, 4",
        "select year, level, unit_code, recommendation_code, basis_ru, due_date from mart.recommendations "
        "order by 1, 2, 3, 4",
        "select count(*), sum(primary_score), sum(mark) from core.vpr_result",
    ]
    digest = hashlib.sha256()
    with engine.connect() as conn:
        for q in queries:
            for row in conn.execute(text(q)):
                digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def cycle(tmp_path_factory, warehouse):
    root = tmp_path_factory.mktemp("cycle")
    inbox, output = root / "inbox", root / "output"
    sample = _cli("sample", "--year", str(YEAR), "--out", str(inbox), "--schools", "14",
                  "--municipalities", "2", "--seed", "7")
    assert sample.returncode == 0, sample.stderr
    run = _cli("run", "--year", str(YEAR), "--inbox", str(inbox), "--output", str(output),
               "--issued-on", "2025-11-20")
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return {"inbox": inbox, "output": output, "stdout": run.stdout,
            "manifest": json.loads((inbox / str(YEAR) / "_manifest.json").read_text(encoding="utf-8"))}


def test_summary_is_printed(cycle):
    out = cycle["stdout"]
    for words in ("строк прочитано", "строк в карантине", "показателей", "документов", "Data Docs"):
        assert words in out


def test_every_row_of_every_file_is_accounted_for(cycle, warehouse):
    with warehouse.connect() as conn:
        rows = conn.execute(text(
            "select file_name, rows_read, rows_loaded, rows_quarantined, status from mart.load_log "
            "where year = :y"), {"y": YEAR}).all()
        quarantined = dict(conn.execute(text(
            "select file_name, count(*) from mart.quarantine where year = :y group by 1"), {"y": YEAR}).all())
    loaded = [r for r in rows if r.status == "loaded"]
    assert {r.file_name.split("/")[0].split(".")[0] for r in loaded} >= {"schools", "vpr_scales", "vpr"}
    for r in loaded:
        assert r.rows_read == r.rows_loaded + r.rows_quarantined, r.file_name
        assert quarantined.get(r.file_name, 0) == r.rows_quarantined
    assert sum(r.rows_quarantined for r in loaded) > 0  # the sample plants bad rows


def test_planted_bad_rows_are_quarantined_for_the_right_reason_and_no_good_row_is(cycle, warehouse):
    manifest = cycle["manifest"]
    planted = {(b["file"], b["row_number"]): b["rule"] for b in manifest["bad_rows"] if b["outcome"] == "quarantine"}
    superseded = {(s["file"], s["row_number"]) for s in manifest["superseded_self_evaluation"]}
    assert {b["source"] for b in manifest["bad_rows"]} >= {"schools", "vpr", "gia", "self_evaluation"}
    with warehouse.connect() as conn:
        found = {(r.file_name, r.row_number): set(r.rules) for r in conn.execute(text(
            "select file_name, row_number, rules from mart.quarantine where year = :y"), {"y": YEAR})}
    for key, rule in planted.items():
        assert key in found, f"planted bad row not quarantined: {key} {rule}"
        assert rule in found[key], f"{key}: planted {rule}, quarantined for {found[key]}"
    for key in superseded:
        assert found.get(key) == {"superseded"}
    assert set(found) - set(planted) - superseded == set(), "good rows were quarantined"


def test_indicators_at_three_levels(cycle, warehouse):
    with warehouse.connect() as conn:
        levels = dict(conn.execute(text(
            "select level, count(distinct indicator_code) from mart.indicator_values where year = :y "
            "group by level"), {"y": YEAR}).all())
        loaded = set(conn.execute(text("select distinct source from mart.load_log where year = :y and "
                                       "status = 'loaded'"), {"y": YEAR}).scalars())
        sources = conn.execute(text("select indicator_code, source from mart.indicator_catalog")).all()
    # Every indicator whose sources the inbox holds (a region described by other files, such as Moscow's ЕГЭ
    # export, has indicators of its own that this region's inbox cannot give).
    catalog = sum(1 for _, source in sources if {s.strip() for s in source.split(",")} <= loaded)
    assert levels == {"school": catalog, "municipality": catalog, "region": catalog}
    assert catalog >= len(sources) - 3 and catalog >= 7


def test_documents_for_each_school_with_its_own_content(cycle, warehouse):
    with warehouse.connect() as conn:
        schools = conn.execute(text(
            "select school_code, school_name, municipality_code from core.school where year = :y"),
            {"y": YEAR}).all()
        recs = dict(conn.execute(text(
            "select unit_code, count(*) from mart.recommendations where year = :y group by 1"), {"y": YEAR}).all())
        with_results = set(conn.execute(text(
            "select school_code from core.vpr_result where year = :y union "
            "select school_code from core.gia_result where year = :y"), {"y": YEAR}).scalars())
    assert schools and with_results
    for s in schools:
        stem = cycle["output"] / str(YEAR) / "служебное" / s.municipality_code / f"{s.school_code}_рекомендации"
        html = stem.with_suffix(".html").read_text(encoding="utf-8")
        assert s.school_code in html
        assert "не используются для оценки деятельности отдельных педагогических работников" in html
        # The charts show the school's results (a school kept from a broken reference row may have none).
        assert "<svg" in html or s.school_code not in with_results, s.school_code
        # each recommendation: once under the finding it answers, once in the plan of measures
        assert html.count('data-rec="R-') == recs.get(s.school_code, 0)
        assert html.count("<tr><td>R-") == recs.get(s.school_code, 0)
        assert stem.with_suffix(".pdf").read_bytes()[:5] == b"%PDF-"
        word = docx.Document(str(stem.with_suffix(".docx")))
        word_text = "\n".join(p.text for p in word.paragraphs)
        assert s.school_code in word_text and "не используются для оценки деятельности" in word_text
        plan = word.tables[4]  # after the summary, the findings, the risk profile and the heads' monitoring
        assert len(plan.rows) == 1 + max(1, recs.get(s.school_code, 0))


def test_readme_queries_return_rows(cycle, warehouse):
    """Every SQL query of the README, for this warehouse's year, as a member of edu_analyst (the README says
    they read mart alone), returns rows."""
    from tests.unit.test_readme import readme_queries

    queries = readme_queries()
    assert len(queries) >= 6
    empty = []
    with warehouse.connect() as conn:
        for query in queries:
            conn.execute(text("set role edu_analyst"))
            rows = conn.execute(text(query.replace("2026", str(YEAR)))).all()
            conn.rollback()
            if not rows:
                empty.append(query.splitlines()[0])
    assert empty == []


def test_second_run_gives_the_same_warehouse(cycle, warehouse):
    """What a second `make demo` does: the same sample written over the inbox, the same run."""
    before = _warehouse_digest(warehouse)
    html = sorted(cycle["output"].rglob("*.html"))
    html_before = {p: p.read_bytes() for p in html}
    sample = _cli("sample", "--year", str(YEAR), "--out", str(cycle["inbox"]), "--schools", "14",
                  "--municipalities", "2", "--seed", "7")
    assert sample.returncode == 0, sample.stderr
    run = _cli("run", "--year", str(YEAR), "--inbox", str(cycle["inbox"]), "--output", str(cycle["output"]),
               "--issued-on", "2025-11-20")
    assert run.returncode == 0, run.stderr[-2000:]
    assert _warehouse_digest(warehouse) == before
    assert {p: p.read_bytes() for p in html} == html_before  # byte-identical documents


def test_run_without_inbox_fails_clearly(tmp_path):
    run = _cli("run", "--year", "1999", "--inbox", str(tmp_path))
    assert run.returncode != 0
    assert "1999" in run.stderr


def test_campaign_status_reminders_and_finished_cycle(cycle, warehouse):
    """The reminders CSV names each school that sent no rows of a required source (ВПР, ГИА — not expected of a
    primary school, НОШ —, самообследование) and which ones — worked out here from the loaded rows themselves,
    not from the view the CSV is written from."""
    import csv

    required = {"vpr": ("core.vpr_result", "ВПР"), "gia": ("core.gia_result", "ГИА (ОГЭ/ЕГЭ/ГВЭ)"),
                "self_evaluation": ("core.self_evaluation", "самообследование")}
    with warehouse.connect() as conn:
        schools = dict(conn.execute(text("select school_code, municipality_code from core.school where year = :y"),
                                    {"y": YEAR}).all())
        primary = set(conn.execute(text("select school_code from core.school where year = :y and school_type = 'НОШ'"),
                                   {"y": YEAR}).scalars())
        sent = {source: set(conn.execute(text(f"select distinct school_code from {table} where year = :y"),
                                         {"y": YEAR}).scalars()) for source, (table, _) in required.items()}
        rows, received = conn.execute(text(
            "select count(*), count(*) filter (where received) from mart.campaign_status where year = :y"),
            {"y": YEAR}).one()
        finished = conn.execute(text("select count(*) from core.cycle_run where year = :y"), {"y": YEAR}).scalar_one()
    assert rows == len(schools) * 5 and 0 < received <= rows
    assert finished >= 1
    expected = {code: {name for source, (_, name) in required.items()
                       if code not in sent[source] and not (source == "gia" and code in primary)}
                for code in schools}
    expected = {code: names for code, names in expected.items() if names}
    assert expected, "the sample has schools that sent nothing of a required source"  # so the check bites
    reminders = cycle["output"] / str(YEAR) / "напоминания_о_непредставленных_данных.csv"
    with reminders.open(encoding="utf-8-sig", newline="") as f:
        listed = list(csv.DictReader(f, delimiter=";"))
    assert {r["Код ОО"]: set(r["Не представлено"].split(", ")) for r in listed} == expected
    assert all(r["Код МО"] == schools[r["Код ОО"]] for r in listed)


def test_municipal_reports_draft_orders_and_publication_index(cycle, warehouse):
    with warehouse.connect() as conn:
        municipalities = conn.execute(text(
            "select municipality_code, municipality_name from core.municipality where year = :y"), {"y": YEAR}).all()
        low = {r[0] for r in conn.execute(text(
            "select s.school_name from mart.school_status st join core.school s using (year, school_code) "
            "where st.year = :y and st.low_results"), {"y": YEAR})}
        recs_by_mo = dict(conn.execute(text(
            "select unit_code, count(*) from mart.recommendations where year = :y and level = 'municipality' "
            "group by 1"), {"y": YEAR}).all())
        mo_recs = sum(recs_by_mo.values())
    assert municipalities and mo_recs >= len(municipalities)  # R-MO-01 goes to every municipality
    root = cycle["output"] / str(YEAR)
    index = (root / "index.html").read_text(encoding="utf-8")
    internal_index = (root / "служебное" / "index.html").read_text(encoding="utf-8")
    for code, name in municipalities:
        internal = root / "служебное" / code
        report = (root / code / f"{code}_аналитическая_справка.html").read_text(encoding="utf-8")
        order = (internal / f"{code}_проект_распоряжения.html").read_text(encoding="utf-8")
        assert name in report and "R-MO-01" in report and "Из чего складывается балл" in report
        assert "РАСПОРЯЖЕНИЕ" in order and "не использовать для оценки деятельности" in order
        assert (root / code / f"{code}_аналитическая_справка.pdf").read_bytes()[:5] == b"%PDF-"
        word = docx.Document(str(internal / f"{code}_проект_распоряжения.docx"))
        paragraphs = [p.text for p in word.paragraphs if p.text.strip()]
        assert "РАСПОРЯЖЕНИЕ" in paragraphs
        assert len(word.tables[0].rows) == 1 + recs_by_mo[code]  # header + one row per measure
        # The same words in both versions: every paragraph and every plan cell of the DOCX is in the HTML.
        shown = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", order)).split())
        cells = [c.text for row in word.tables[0].rows for c in row.cells]
        assert [t for t in paragraphs + cells if " ".join(t.split()) not in shown] == []
        assert f'href="{code}/{code}_аналитическая_справка.html"' in index
        assert f'href="{code}/{code}_проект_распоряжения.html"' in internal_index
    for school in low:  # every low-result school is named in its municipality's report
        assert any(quotes_ru(school) in (root / c / f"{c}_аналитическая_справка.html").read_text(
            encoding="utf-8") for c, _ in municipalities)
    assert "_рекомендации" not in index and "проект_распоряжения" not in index
    assert internal_index.count("_рекомендации.pdf") == len(list(root.rglob("*_рекомендации.pdf")))
    regional = (root / "региональный_аналитический_отчёт.html").read_text(encoding="utf-8")
    assert all(name in regional for _, name in municipalities)
    assert "углублённой экспертизы" in regional and "Кластеры школ и муниципалитетов" in regional
    assert "Правило отбора" in regional and "Показатели балла и данные" in regional
    assert 'href="региональный_аналитический_отчёт.pdf"' in index


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler's pdftotext is not installed")
def test_document_pdfs_hold_their_html_and_keep_its_charts(cycle):
    """Nothing can stick out of a PDF's page: its tables take the page's width by the HTML's column shares, a
    chart wider than the page is shrunk, and anything taller than a page is an error (documents/pdf.py). What is
    checked here is that the PDF shows what the HTML shows, read back by poppler."""
    root = cycle["output"] / str(YEAR)
    samples = [next(root.rglob("*_рекомендации.html")), next(root.rglob("*_аналитическая_справка.html")),
               next(root.rglob("*_проект_распоряжения.html")), root / "региональный_аналитический_отчёт.html"]
    assert {s.name: words_missing_from_pdf(s) for s in samples} == {s.name: [] for s in samples}
    assert "стр. 1 из" in pdf_text(samples[0].with_suffix(".pdf"))
    assert samples[0].read_text(encoding="utf-8").count("<svg") >= 3  # the school's charts
    assert "<svg" in samples[1].read_text(encoding="utf-8")  # the municipality's distribution
