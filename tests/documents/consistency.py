"""What a school's document must say, read from the warehouse's mart views, and what its HTML says.

Shared by the demo-region tests (tests/documents/test_school_documents.py); independent of the document
code: the expectations come from mart and the indicators' metadata, the answers from the rendered HTML.
"""
from __future__ import annotations

import html
import re
from pathlib import Path

from sqlalchemy import text

from edu_quality.indicators.catalog import indicator_metadata
from edu_quality.recommendations.choose import risk_level

NO_RISK_RU = "не попадают в зоны риска"
STATUSES = ("low_results", "unfavorable_conditions", "biased_results_suspected", "successful_practice")
FINDING = re.compile(r'<li data-finding="([^"]+)">(.*?)</li>', re.S)


def expected_findings(engine, year: int) -> dict[str, set[str]]:
    """School code → the finding keys mart holds for it (high-risk indicators, factors at risk, deficits,
    statuses)."""
    meta = indicator_metadata()
    found: dict[str, set[str]] = {}
    with engine.connect() as conn:
        schools = [r[0] for r in conn.execute(text("select school_code from core.school where year = :y"),
                                              {"y": year})]
        for code in schools:
            found[code] = set()
        for r in conn.execute(text("select unit_code, indicator_code, value from mart.indicator_values "
                                   "where year = :y and level = 'school'"), {"y": year}):
            m = meta.get(r.indicator_code) or {}
            value = None if r.value is None else float(r.value)
            if risk_level(value, m.get("polarity", "neutral"), m.get("thresholds") or {}) == "risk_high":
                found[r.unit_code].add(f"indicator:{r.indicator_code}")
        for r in conn.execute(text("select school_code, risk_factor_code from mart.school_risk_profile "
                                   "where year = :y and at_risk"), {"y": year}):
            found[r.school_code].add(f"factor:{r.risk_factor_code}")
        for r in conn.execute(text("select school_code, direction_code from mart.head_effectiveness "
                                   "where year = :y and deficit"), {"y": year}):
            found[r.school_code].add(f"head:{r.direction_code}")
        for status in STATUSES:
            for r in conn.execute(text(f"select school_code from mart.school_status where year = :y and {status}"),
                                  {"y": year}):
                found[r.school_code].add(f"status:{status}")
    return found


def recommendations(engine, year: int) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    with engine.connect() as conn:
        for r in conn.execute(text("select unit_code, recommendation_code from mart.recommendations "
                                   "where year = :y and level = 'school'"), {"y": year}):
            out.setdefault(r.unit_code, set()).add(r.recommendation_code)
    return out


def document_findings(page: str) -> dict[str, str]:
    """Finding key → its HTML in the document."""
    return {key: body for key, body in FINDING.findall(page)}


def answered(body: str) -> bool:
    """A finding carries a recommendation or a sentence saying why none applies."""
    return 'data-rec="' in body or 'class="why-none"' in body


def school_pages(output: Path, year: int) -> dict[str, str]:
    return {p.name.split("_")[0]: p.read_text(encoding="utf-8")
            for p in (output / str(year)).rglob("*_рекомендации.html")}


def report_pages(output: Path, year: int) -> dict[str, str]:
    """Every other rendered HTML of the year: municipal reports, internal annexes, draft orders, the regional
    report and the indexes, by their path in the year's folder."""
    root = output / str(year)
    return {p.relative_to(root).as_posix(): p.read_text(encoding="utf-8") for p in sorted(root.rglob("*.html"))
            if not p.name.endswith("_рекомендации.html")}


def visible_text(page: str) -> str:
    body = page.split("<body>", 1)[-1]
    body = re.sub(r"</?(b|i|span|a|sup|sub)\b[^>]*>", "", body)  # inline tags: no space where they were
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def problems(engine, output: Path, year: int) -> dict[str, list[str]]:
    """Per kind of defect, the «school: finding» it was found for."""
    expected, recs, pages = expected_findings(engine, year), recommendations(engine, year), school_pages(output, year)
    out: dict[str, list[str]] = {"missing_document": [], "no_risk_claimed": [], "finding_missing": [],
                                 "finding_unanswered": [], "recommendation_missing": []}
    for school, keys in expected.items():
        page = pages.get(school)
        if page is None:
            out["missing_document"].append(school)
            continue
        shown = document_findings(page)
        if keys - {"status:successful_practice"} and NO_RISK_RU in page:
            out["no_risk_claimed"].append(school)
        out["finding_missing"] += [f"{school}: {k}" for k in sorted(keys - set(shown))]
        out["finding_unanswered"] += [f"{school}: {k}" for k in sorted(keys & set(shown)) if not answered(shown[k])]
        out["recommendation_missing"] += [f"{school}: {c}" for c in sorted(recs.get(school, set()))
                                          if f'data-rec="{c}"' not in page]
    return out


# Russian typography of a rendered document (tests/documents/test_school_documents.py).
DOUBLED = re.compile(r"\.\.(?!\.)|[,;:]\s*[,;:.]|\s[,.;:](?!\d)")
# A sentence end followed by a lower-case word, unless the dot closes an abbreviation.
LOWER_START = re.compile(r"(\S+)[.!?]\s+([а-яё]\w*)")
ABBREVIATIONS = {"г", "гг", "т", "е", "п", "пп", "ед", "кв", "м", "чел", "др", "им", "ул", "д", "с", "руб", "тыс",
                 "млн", "изм", "мин", "см", "обл", "т. е", "п. п", "№", "р-н", "Мб/с", "т.е", "ст"}
# «кв. м, ед.» and «…, кв. м — 13,9 ед.»: a unit the name already gives, then «ед.» after the number.
UNIT_BEFORE_UNIT = re.compile(r"(полных лет|кв\.\s*м|чел\.|%|балл\w*|руб\.)\s*(,|—\s*[\d\s,]+)?\s*ед\.")
OTHER_QUOTES = re.compile(r"[\"“”„‘’']")


def lower_starts(text_: str) -> list[str]:
    out = []
    for m in LOWER_START.finditer(text_):
        word = m.group(1).split("(")[-1]
        if word.rstrip(".") in ABBREVIATIONS or len(word) <= 2 or word[-1].isdigit():
            continue
        out.append(text_[max(0, m.start() - 30):m.end() + 10])
    return out


def typography_problems(page: str) -> list[str]:
    """What is wrong with a document's Russian typography, each with a bit of the text around it."""
    t = visible_text(page)
    found = [f"doubled punctuation: …{t[max(0, m.start() - 30):m.end() + 10]}…" for m in DOUBLED.finditer(t)]
    found += [f"lower-case sentence start: …{s}…" for s in lower_starts(t)]
    found += [f"another quotation mark: …{t[max(0, m.start() - 30):m.end() + 10]}…" for m in OTHER_QUOTES.finditer(t)]
    found += [f"«ед.» after a unit: …{t[max(0, m.start() - 30):m.end()]}…" for m in UNIT_BEFORE_UNIT.finditer(t)]
    return found


def head_names(engine, year: int) -> dict[str, str | None]:
    with engine.connect() as conn:
        return dict(conn.execute(text("select school_code, head_name from core.school where year = :y"),
                                 {"y": year}).all())


def _letters(text_: str) -> str:
    """Letters and digits only: what survives a PDF's line breaks, hyphens and table reading order."""
    return re.sub(r"[\W_]+", "", text_.replace("\u00ad", ""))


def pdf_text(pdf: Path, pages: tuple[int, int] | None = None) -> str:
    """The PDF's text as poppler's `pdftotext -raw` reads it, in the order it was drawn (a table cell's lines
    together): a reader independent of the one that wrote it."""
    import subprocess

    first_last = ["-f", str(pages[0]), "-l", str(pages[1])] if pages else []
    return subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", *first_last, str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout


def words_missing_from_pdf(html_path: Path) -> list[str]:
    """Each word of the HTML's visible text (the charts' labels too) that the PDF beside it does not hold."""
    page = html_path.read_text(encoding="utf-8")
    page = re.sub(r"<(style|title)>.*?</\1>", " ", page, flags=re.S)
    in_pdf = _letters(pdf_text(html_path.with_suffix(".pdf")))
    words = {_letters(w) for w in visible_text(page).split()} - {""}
    return sorted(w for w in words if w not in in_pdf)
