"""The PDF layout of the documents' HTML (documents/pdf.py): what it refuses, the page, reproducible bytes."""
from __future__ import annotations

import shutil
import subprocess

import pytest

from edu_quality.documents.pdf import LayoutError, render_pdf
from tests.documents.consistency import pdf_text

PAGE = """<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8"><title>Проба</title>
<style>{style}</style></head><body>{body}</body></html>"""
needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None or shutil.which("pdfinfo") is None,
                                   reason="poppler-utils are not installed")


def _page(body: str, style: str = "") -> str:
    return PAGE.format(style=style, body=body)


def _info(pdf: bytes, tmp_path) -> dict[str, str]:
    path = tmp_path / "p.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return dict(line.split(":", 1) for line in out.splitlines() if ":" in line)


def _text(pdf: bytes, tmp_path, pages: tuple[int, int] | None = None) -> str:
    path = tmp_path / "t.pdf"
    path.write_bytes(pdf)
    return pdf_text(path, pages)


@pytest.mark.parametrize("body, named", [
    ("<p>текст <u>подчёркнут</u></p>", "<u>"),
    ('<p class="unknown">текст</p>', "unknown"),
    ("<blockquote>цитата</blockquote>", "<blockquote>"),
    ("<table><tr><td><p>абзац в ячейке</p></td></tr></table>", "<p> inside a table cell"),
    ('<p><span class="loud">текст</span></p>', "loud"),
    ("<table><caption>Подпись</caption><tr><td>a</td></tr></table>", "<caption>"),
    ("<table><tr><td rowspan=\"2\">R</td><td>a</td></tr><tr><td>b</td></tr></table>", "rowspan"),
    ("<ol><li>пункт</li><p>не пункт</p></ol>", "<p> in a list"),
    ("<ol><li>пункт<table><tr><td>a</td></tr></table></li></ol>", "<table> in a list item"),
])
def test_what_it_cannot_show_is_an_error_naming_it(body, named):
    with pytest.raises(LayoutError, match=named):
        render_pdf(_page(body))


def test_the_same_html_gives_the_same_bytes():
    page = _page("<h1>Заголовок</h1><p>Абзац с <b>полужирным</b> и 23,1 %.</p>")
    assert render_pdf(page) == render_pdf(page)
    assert render_pdf(page) != render_pdf(page.replace("23,1", "23,2"))


@needs_poppler
def test_a4_portrait_or_landscape_as_the_style_says_and_pages_counted(tmp_path):
    rows = "".join(f"<tr><td>Строка {i}</td><td class=\"num\">{i},0 %</td></tr>" for i in range(120))
    body = f"<h2>Таблица</h2><table><colgroup><col style=\"width:70%\"><col></colgroup>" \
           f"<tr><th>Показатель</th><th>Значение</th></tr>{rows}</table>"
    portrait = render_pdf(_page(body))
    landscape = render_pdf(_page(body, "@page { size: A4 landscape; }"))
    assert _info(portrait, tmp_path)["Page size"].split()[:3] == ["595.276", "x", "841.89"]
    assert _info(landscape, tmp_path)["Page size"].split()[:3] == ["841.89", "x", "595.276"]
    pages = int(_info(portrait, tmp_path)["Pages"])
    text = _text(portrait, tmp_path)
    assert pages >= 3 and f"стр. 1 из {pages}" in text and f"стр. {pages} из {pages}" in text
    # The heading row is repeated on each page, as a thead is.
    assert text.count("Показатель Значение") == pages
    assert all(f"Строка {i}" in text for i in range(120))


@needs_poppler
def test_a_number_keeps_its_per_cent_sign_and_a_chart_its_labels(tmp_path):
    words = " ".join(["слово"] * 11)
    svg = ('<div class="chart"><div class="chart-title">Доля</div><svg xmlns="http://www.w3.org/2000/svg" '
           'width="480" height="22" font-family="DejaVu Sans" font-size="9"><text x="0" y="11">ОО</text>'
           '<rect x="95" y="2" width="300" height="12" fill="#eef1f5"/><text x="400" y="11">35,0 %</text></svg></div>')
    text = _text(render_pdf(_page(f"<p>{words} 35,0 % {words} 12,5 % {words}</p>{svg}")), tmp_path)
    assert "\n%" not in text and "ОО" in text and "35,0 %" in text.replace("\u00a0", " ")


@needs_poppler
def test_a_row_taller_than_a_page_is_split_inside_and_loses_nothing(tmp_path):
    codes = [f"S{i:07d}" for i in range(2500)]
    body = (f"<h2>Школы</h2><table><tr><th>№</th><th>Коды</th></tr><tr><td>1</td><td>{' '.join(codes)}</td></tr>"
            "<tr><td>2</td><td>последняя строка</td></tr></table>")
    pdf = render_pdf(_page(body))
    text = _text(pdf, tmp_path)
    assert int(_info(pdf, tmp_path)["Pages"]) > 2
    assert set(codes) <= set(text.split()) and "последняя строка" in text


@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="poppler-utils are not installed")
@pytest.mark.parametrize("style, face", [
    ('body { font-family: "DejaVu Sans", sans-serif; }', "DejaVuSans"),
    # The draft order's own rule after _base.css's: the last one wins, as in CSS.
    ('body { font-family: "DejaVu Sans", sans-serif; } .x { } body { font-family: "DejaVu Serif", serif; }',
     "DejaVuSerif"),
])
def test_the_body_face_is_the_last_body_rule(style, face, tmp_path):
    path = tmp_path / "f.pdf"
    path.write_bytes(render_pdf(_page("<p>Текст <b>распоряжения</b></p>", style)))
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    names = {line.split()[0].split("+")[-1] for line in fonts.splitlines()[2:]}
    assert names == {face, face + "-Bold"}


@needs_poppler
def test_a_heading_stays_with_a_row_taller_than_a_page(tmp_path):
    """Under its heading at a page's top, a row taller than the page is split inside there, not moved on and
    leaving the heading alone."""
    codes = [f"S{i:07d}" for i in range(2500)]
    body = (f"<p>Вступление.</p><h2>Школы</h2><table><tr><th>№</th><th>Коды</th></tr>"
            f"<tr><td>1</td><td>{' '.join(codes)}</td></tr></table>")
    first = _text(render_pdf(_page(body)), tmp_path, pages=(1, 1))
    assert "Школы" in first and "S0000000" in first


@needs_poppler
def test_no_text_of_a_list_item_or_after_a_comment_is_lost(tmp_path):
    body = ("<!-- c -->ПОСЛЕ<ol><li><p class=\"rec\">сначала абзац</p>хвост <b>Ж</b></li>"
            "<li>x<p class=\"rec\">y</p>ХВОСТ <sup>*</sup></li></ol><p>см. <code>use_vpr</code></p>")
    text = " ".join(_text(render_pdf(_page(body)), tmp_path).split())
    for words in ("ПОСЛЕ", "1. сначала абзац", "хвост Ж", "2. x", "y", "ХВОСТ *", "см. use_vpr"):
        assert words in text, words


@needs_poppler
def test_a_footnote_mark_in_a_table_cell(tmp_path):
    """The regional report marks a judged effect with <sup>*</sup> in a heading cell (seen from the second year)."""
    body = "<table><tr><th>Эффект<sup>*</sup></th><td>см. <code>use_vpr</code></td></tr></table>"
    text = " ".join(_text(render_pdf(_page(body)), tmp_path).split())
    assert "Эффект" in text and "*" in text and "use_vpr" in text


def test_a_paragraph_breaks_its_lines_once_per_width(monkeypatch):
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph

    from edu_quality.documents.pdf import _Para

    calls = []
    original = Paragraph.breakLines
    monkeypatch.setattr(Paragraph, "breakLines", lambda self, widths: calls.append(widths) or original(self, widths))
    p = _Para("слово " * 60, ParagraphStyle("t", fontName="Helvetica", fontSize=10, leading=12))
    wide = p.wrap(400, 1000)
    assert p.wrap(400, 500) == wide and len(calls) == 1  # measured again at the same width: not broken again
    narrow = p.wrap(200, 1000)
    assert narrow[1] > wide[1] and len(calls) == 2
    assert p.split(200, 5) == []  # no room for two lines: ReportLab drops the breaks it made
    assert p.wrap(200, 1000) == narrow and hasattr(p, "blPara")


def test_paragraphs_of_one_text_and_style_share_their_line_breaks_and_a_split_leaves_them(monkeypatch):
    import pickle

    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph

    from edu_quality.documents.pdf import _font, _Para

    calls = []
    original = Paragraph.breakLines
    monkeypatch.setattr(Paragraph, "breakLines", lambda self, widths: calls.append(widths) or original(self, widths))
    # Words hyphenated at a line's end, as in a narrow cell: ReportLab's split changes such a word's fragment.
    style = ParagraphStyle("shared", fontName=_font("sans"), fontSize=10, leading=12, hyphenationLang="ru_RU",
                           embeddedHyphenation=1)
    text = "образовательной деятельности <b>материально</b> техническому " * 8
    first = _Para(text, style)
    size = first.wrap(80, 1000)
    second = _Para(text, style)
    assert second.wrap(80, 1000) == size and len(calls) == 1 and second.blPara is first.blPara
    _Para(text, ParagraphStyle("other", style)).wrap(80, 1000)
    _Para(text + "!", style).wrap(80, 1000)
    _Para(text, style).wrap(100, 1000)
    assert len(calls) == 4  # another style, text or width: broken anew
    cached = pickle.dumps((first.blPara, first.frags))
    head, tail = second.split(80, 36)
    assert head.wrap(80, 1000)[1] == 36 and tail.wrap(80, 1000)[1] == size[1] - 36
    assert pickle.dumps((first.blPara, first.frags)) == cached  # the split worked on its own copy


@needs_poppler
def test_a_plain_cell_that_fits_is_a_string_and_one_that_does_not_wraps(tmp_path):
    from reportlab.platypus import Paragraph

    from edu_quality.documents.pdf import _Layout

    long = "очень длинное описание показателя " * 4
    body = ('<table class="small"><colgroup><col style="width:20%"><col style="width:80%"></colgroup>'
            f'<tr><th>Код</th><th>Описание</th></tr><tr><td class="num risk">12,5 %</td><td>{long}</td></tr>'
            '<tr><td>a &amp; b &lt;c&gt;</td><td>коротко</td></tr></table>')
    pdf = render_pdf(_page(body))
    text = " ".join(_text(pdf, tmp_path).split())
    for words in ("12,5\u00a0%", "a & b <c>", "коротко", " ".join(long.split())):
        assert words.replace("\u00a0", " ") in text.replace("\u00a0", " ")
    from lxml import html as lxml_html

    from edu_quality.documents.pdf import A4, MARGINS

    layout = _Layout("sans", A4[0] - MARGINS["leftMargin"] - MARGINS["rightMargin"], 700)
    table = layout.table(lxml_html.fragment_fromstring(body))
    first, second = table._cellvalues[1]
    assert first == "12,5\u00a0%" and isinstance(second, Paragraph)  # the long text wraps as a paragraph
    assert table._cellvalues[2][0] == "a & b <c>"  # a string is drawn as it reads, not as markup


def test_a_cell_of_one_coloured_span_or_one_bold_is_a_string_in_its_colour_and_face():
    """«нет» in green, «17,6 %» in bold red, a direction's name in bold: drawn as strings with the span's colour and
    face (as the paragraph would draw them); anything more in the cell stays a paragraph."""
    from lxml import html as lxml_html
    from reportlab.platypus import Paragraph

    from edu_quality.documents.pdf import A4, GOOD, MARGINS, RISK, _Layout

    body = ('<table><tr><th>Показатель</th><th>Оценка</th></tr>'
            '<tr><td><span class="good">нет</span></td><td class="num"><span class="risk">17,6 %</span></td></tr>'
            '<tr><td><b>H1. Направление</b></td><td><span class="good">да</span>, но <b>мало</b></td></tr>'
            '<tr><td><span class="good"><b>вложено</b></span></td><td><span class="risk" title="x">атрибут</span></td>'
            '</tr></table>')
    layout = _Layout("sans", A4[0] - MARGINS["leftMargin"] - MARGINS["rightMargin"], 700)
    table = layout.table(lxml_html.fragment_fromstring(body))
    values = table._cellvalues
    assert values[0] == ["Показатель", "Оценка"]  # a heading cell of plain text, too
    assert values[1] == ["нет", "17,6\u00a0%"] and values[2][0] == "H1. Направление"
    assert all(isinstance(v, Paragraph) for v in (values[2][1], *values[3]))

    cells = {(r, c): table._cellStyles[r][c] for r in range(3) for c in range(2)}
    assert cells[1, 0].color.hexval()[2:].lower() == GOOD[1:] and not cells[1, 0].fontname.endswith("-Bold")
    assert cells[1, 1].color.hexval()[2:].lower() == RISK[1:] and cells[1, 1].fontname.endswith("-Bold")
    assert cells[1, 1].alignment == "RIGHT"
    assert cells[2, 0].fontname.endswith("-Bold") and cells[0, 0].fontname.endswith("-Bold")


MIXED = ("<h1>Заголовок</h1><p>Простой абзац: 23,1 %.</p><p>Абзац с <b>полужирным</b>, "
         '<span class="risk">риском</span> и a &amp; b.</p>'
         '<table><tr><th>Показатель</th><th>Значение</th></tr>'
         + "".join(f'<tr><td>{"длинное название показателя " * 3}{i}</td><td><span class="good">нет</span></td></tr>'
                   for i in range(80)) + "</table>"
         '<ol><li>пункт <b>первый</b></li><li>пункт второй, простой</li></ol>')


def test_fragments_made_once_per_text_draw_what_reportlabs_parser_draws(monkeypatch):
    """A paragraph's fragments come from a cache (plain text made directly, markup parsed once per style and
    text): the PDF is byte for byte the one ReportLab's own parser gives, cold, warm and split over pages."""
    from edu_quality.documents import pdf

    page = _page(MIXED)
    cold = render_pdf(page)
    warm = render_pdf(page)
    monkeypatch.setattr(pdf, "_frags", lambda text, style: None)  # every paragraph parsed by ReportLab
    assert cold == warm == render_pdf(page)


def test_a_cached_fragment_is_a_copy_and_parsing_errors_still_reach_the_paragraph():
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph

    from edu_quality.documents.pdf import _Para

    style = ParagraphStyle("c", fontName="Helvetica", fontSize=10, leading=12)
    for text in ("просто текст", "с <b>разметкой</b> &amp; знаком"):
        ours, theirs = _Para(text, style), Paragraph(text, style)
        assert [vars(f) for f in ours.frags] == [vars(f) for f in theirs.frags]
        again = _Para(text, style)
        assert all(a is not b and a.link is not b.link for a, b in zip(ours.frags, again.frags))
    with pytest.raises(ValueError):
        _Para("<b>не закрыт", style)
