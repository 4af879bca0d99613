"""PDF from a document's own HTML, laid out by ReportLab: the same text, tables and charts, at about a tenth of
WeasyPrint's cost per page (a school's twelve pages: 1.2 CPU-s in WeasyPrint; see docs/benchmarks.md).

The documents' templates use a small, fixed part of HTML: headings, paragraphs, numbered lists, tables with
column widths, inline SVG bar charts, and the classes of `_base.css`. This module maps exactly that part to
ReportLab's flowables, so the PDF holds the HTML's words by construction. A tag or class it does not know is an
error naming it — a template change that this layout cannot show must fail the tests, not drop text.
"""
from __future__ import annotations

import copy
import io
import re
import subprocess
import weakref
from functools import cache
from pathlib import Path
from typing import NamedTuple
from xml.sax.saxutils import escape

from lxml import html as lxml_html
from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.paragraph import cleanBlockQuotedText
from reportlab.platypus.paraparser import ParaParser

# _base.css, in ReportLab's terms (points, hex colours).
MARGINS = dict(topMargin=18 * mm, rightMargin=15 * mm, bottomMargin=18 * mm, leftMargin=20 * mm)
TEXT, GRID, HEAD_BG, RISK, GOOD = "#111111", "#bbbbbb", "#eef1f5", "#b00020", "#1b6e20"
CELL_BG = {"zlow": "#f6d5d9", "zhigh": "#d6ecd7"}
INLINE_COLOUR = {"risk": RISK, "good": GOOD, "doc": "#555555", "": None}
FONTS = {"sans": ("DejaVu Sans", "DejaVuSans"), "serif": ("DejaVu Serif", "DejaVuSerif")}
STYLES = ("", "-Bold", "-Oblique", "-BoldOblique")
UNIT_SPACE = re.compile(r"(\d) (?=%|г\.)")
# A table split over pages leaves at least this many of its rows (after the repeated header) at a page's foot.
MIN_ROWS_AT_FOOT = 2
# The inline markup a paragraph, a table cell or a list item's text may hold (_markup maps each).
INLINE_TAGS = ("b", "i", "span", "br", "sup", "code")


class LayoutError(ValueError):
    """The HTML uses something this layout does not show."""


# Each style's paragraphs as ReportLab's parser splits them into fragments, by text (see _Para). The styles are
# made once per process (_styles, _Layout.style), so a text repeated across documents is parsed once.
_FRAGS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
MAX_TEXTS_PER_STYLE = 20_000


def _parse(text: str, style: ParagraphStyle) -> list | None:
    parser = ParaParser()
    parser.caseSensitive = 1  # as Paragraph's own
    parsed_style, frags, bullet = parser.parse(text, style)
    return None if frags is None or bullet or parsed_style is not style else frags


def _frags(text: str, style: ParagraphStyle) -> list | None:
    """The fragments ReportLab's parser makes of `text` in `style`, each a fresh copy; None where the parser
    must run in the paragraph (markup that changes the style or adds a bullet, or an error to report)."""
    known = _FRAGS.setdefault(style, {})
    frags = known.get(text)
    if frags is None:
        # Plain text is one fragment in the style's font: parsed once per style, then only its text differs.
        if "<" not in text and "&" not in text:
            plain = known.get(None) or _parse("x", style)
            if plain is None:
                return None
            known[None] = plain
            frags = [copy.copy(plain[0])]
            frags[0].text = text
        else:
            frags = _parse(text, style)
            if frags is None:
                return None
        if len(known) >= MAX_TEXTS_PER_STYLE:  # a process that writes a whole region in one keeps its memory
            known.clear()
        known[text] = frags
    copies = []
    for f in frags:
        f = copy.copy(f)
        f.link, f.us_lines = list(f.link), list(f.us_lines)
        copies.append(f)
    return copies


# Each style's line breaks by text and width (see _Para): what Paragraph.wrap leaves on the paragraph.
_BREAKS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
MAX_BREAKS_PER_STYLE = 5_000  # an entry holds a paragraph's lines: heavier than its fragments
_BROKEN = ("width", "height", "_wrapWidths", "blPara", "frags", "_width_max", "_splitLongWordCount", "_hyphenations")


class _Para(Paragraph):
    """A paragraph that breaks its lines once per width: a table measures each cell's height several times (its
    rows, each split over pages, then drawing), and line breaking was most of a PDF's time.

    Its text is split into fragments once per style and text (_frags): ReportLab's parser, an HTML parser run for
    each paragraph, was a fifth of a PDF's time, and most texts (a cell's «нет», a heading) recur. For the same
    reason its lines are broken once per style, text and width in a process (nine in ten of a school document's
    paragraphs recur in the next school's: «Руководитель ОО», a due date, a rule's text); drawing only reads the
    breaks, and a paragraph split over pages gets its own copy first."""

    _wrapped: tuple | None = None
    _key: str | None = None  # its text, when its fragments are the style's for that text
    _shared = False          # its line breaks are the cache's

    def __init__(self, text, style, bulletText=None, frags=None, **kwargs):  # noqa: N803 (ReportLab's names)
        key = None
        if frags is None and text and not getattr(style, "textTransform", None):
            cleaned = cleanBlockQuotedText(text)  # what Paragraph does before parsing
            frags = _frags(cleaned, style) if cleaned else None
            text = cleaned if frags is not None else text
            key = cleaned if frags is not None and bulletText is None and not kwargs else None
        super().__init__(text, style, bulletText, frags=frags, **kwargs)
        self._key = key

    def wrap(self, available_width, available_height):
        # Paragraph.split drops its line breaks (`blPara`) when the paragraph cannot start on a page: take them again.
        if self._wrapped is None or self._wrapped[0] != available_width or not hasattr(self, "blPara"):
            self._wrapped = (available_width, self._break(available_width, available_height))
        return self._wrapped[1]

    def _break(self, available_width, available_height):
        if self._key is None:
            return super().wrap(available_width, available_height)
        known = _BREAKS.setdefault(self.style, {})
        hit = known.get((self._key, available_width))
        if hit is None:
            size = super().wrap(available_width, available_height)
            if len(known) >= MAX_BREAKS_PER_STYLE:
                known.clear()
            hit = known[(self._key, available_width)] = (size, {k: getattr(self, k) for k in _BROKEN
                                                                if hasattr(self, k)})
        else:
            self.__dict__.update(hit[1])
        self._shared = True
        return hit[0]

    def split(self, available_width, available_height):
        if self._shared:  # ReportLab's split changes the fragments it hands on: not the cache's
            self.blPara, self.frags = copy.deepcopy((self.blPara, self.frags))  # one copy: they share fragments
            self._shared = False
        return super().split(available_width, available_height)


def _font_file(family: str, suffix: str) -> str | None:
    """The font's file from fontconfig, else Debian's path; None when that face is not installed."""
    style = {"": "Book", "-Bold": "Bold", "-Oblique": "Oblique", "-BoldOblique": "Bold Oblique"}[suffix]
    if family == "DejaVu Serif":
        style = style.replace("Oblique", "Italic")
    try:
        found = subprocess.run(["fc-match", "-f", "%{file}", f"{family}:style={style}"], capture_output=True,
                               text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        found = ""
    stem = family.replace(" ", "") + (suffix.replace("Oblique", "Italic") if family == "DejaVu Serif" else suffix)
    if found and Path(found).name == stem + ".ttf":
        return found
    fallback = Path("/usr/share/fonts/truetype/dejavu") / (stem + ".ttf")
    return str(fallback) if fallback.exists() else None


@cache
def _font(kind: str) -> str:
    """Register a DejaVu family once per process; its ReportLab name."""
    family, name = FONTS[kind]
    faces = [name + s for s in STYLES]
    files = {suffix: _font_file(family, suffix) for suffix in STYLES}
    missing = [s or "regular" for s in ("", "-Bold") if files[s] is None]
    if missing:
        raise LayoutError(f"font {family} ({', '.join(missing)}) not found: install fonts-dejavu-core")
    # Oblique faces are in fonts-dejavu-extra: without them an oblique is drawn upright, not refused.
    files["-Oblique"] = files["-Oblique"] or files[""]
    files["-BoldOblique"] = files["-BoldOblique"] or files["-Bold"]
    for face, suffix in zip(faces, STYLES):
        pdfmetrics.registerFont(TTFont(face, files[suffix]))
    pdfmetrics.registerFontFamily(name, normal=faces[0], bold=faces[1], italic=faces[2], boldItalic=faces[3])
    return name


def prepare() -> None:
    """Register the fonts now: a pool's forked workers then inherit them instead of each looking them up."""
    for kind in FONTS:
        _font(kind)


@cache
def _styles(kind: str) -> dict[str, ParagraphStyle]:
    """The paragraph styles of _base.css; colours as Color objects (a colour named by a string is parsed again
    each time a line is drawn)."""
    font = _font(kind)
    hex_ = colors.HexColor
    size = 11 if kind == "serif" else 10
    base = ParagraphStyle("body", fontName=font, fontSize=size, leading=size * 1.35, textColor=hex_(TEXT), spaceAfter=6)
    small = dict(fontSize=8.5, leading=8.5 * 1.3)
    return {
        "body": base,
        "h1": ParagraphStyle("h1", base, fontName=font + "-Bold", fontSize=15, leading=18, spaceAfter=4),
        "h2": ParagraphStyle("h2", base, fontName=font + "-Bold", fontSize=12, leading=15, spaceBefore=14,
                             spaceAfter=2, keepWithNext=1),
        "meta": ParagraphStyle("meta", base, fontSize=9, leading=12, textColor=hex_("#444444")),
        "note": ParagraphStyle("note", base, fontSize=9, leading=12, spaceAfter=0),
        "small": ParagraphStyle("small", base, **small),
        "rec": ParagraphStyle("rec", base, **small, spaceBefore=2, spaceAfter=0),
        "why-none": ParagraphStyle("why-none", base, **small, spaceBefore=2, spaceAfter=0, textColor=hex_("#444444"),
                                   fontName=font + "-Oblique"),
        "doc": ParagraphStyle("doc", base, fontSize=8, leading=10, textColor=hex_("#555555")),
        "risk": ParagraphStyle("risk", base, textColor=hex_(RISK), fontName=font + "-Bold"),
        "center": ParagraphStyle("center", base, alignment=TA_CENTER),
        "sign": ParagraphStyle("sign", base, spaceBefore=30),
        "li": ParagraphStyle("li", base, fontSize=9, leading=12, spaceAfter=0, leftIndent=14, bulletIndent=0),
        "chart-title": ParagraphStyle("chart-title", base, fontName=font + "-Bold", fontSize=8.5, leading=11,
                                      spaceBefore=6, spaceAfter=1, keepWithNext=1),
        # Narrow columns break a long word by the Russian hyphenation rules (pyphen's dictionary), not at any
        # letter, and a compound word («материально-техническому») at its own hyphen.
        "td": ParagraphStyle("td", base, spaceAfter=0, leading=size * 1.3, hyphenationLang="ru_RU",
                             embeddedHyphenation=1),
        "th": ParagraphStyle("th", base, fontName=font + "-Bold", fontSize=9, leading=11.5, spaceAfter=0,
                             hyphenationLang="ru_RU", embeddedHyphenation=1),
    }


def _classes(el) -> list[str]:
    return (el.get("class") or "").split()


def _inline(el) -> str:
    """The element's text and inline children as one paragraph's ReportLab markup (escaped, white space collapsed)."""
    return _collapse(_markup(el)).strip()


def _tail(text: str) -> str:
    """Loose text between blocks as paragraph markup."""
    return _collapse(escape(text)).strip()


def _markup(el) -> str:
    """The element's text and inline children as ReportLab markup, escaped."""
    parts = [escape(el.text or "")]
    for child in el:
        tag = child.tag
        if not isinstance(tag, str):  # a comment
            parts.append(escape(child.tail or ""))
            continue
        inner = _markup(child)
        if tag == "br":
            parts.append("<br/>")
        elif tag == "b":
            parts.append(f"<b>{inner}</b>")
        elif tag == "i":
            parts.append(f"<i>{inner}</i>")
        elif tag == "sup":
            parts.append(f"<super>{inner}</super>")
        elif tag == "code":  # a settings key named in the text: shown as it is spelled
            parts.append(inner)
        elif tag == "span":
            classes = _classes(child) or [""]
            unknown = [c for c in classes if c not in INLINE_COLOUR]
            if unknown:
                raise LayoutError(f"<span class={unknown[0]!r}> is not laid out in PDF")
            colour, bold = _span_look(classes[0])
            inner = f"<b>{inner}</b>" if bold else inner
            inner = f"<font size=\"8\">{inner}</font>" if classes[0] == "doc" else inner
            parts.append(f'<font color="{colour}">{inner}</font>' if colour else inner)
        else:
            raise LayoutError(f"<{tag}> inside a paragraph is not laid out in PDF")
        parts.append(escape(child.tail or ""))
    return "".join(parts)


def _span_look(kind: str) -> tuple[str | None, bool]:
    """An inline span's colour and whether it is bold, by its class: a paragraph's markup and a plain cell share it."""
    return INLINE_COLOUR[kind], kind == "risk"


def _collapse(markup: str) -> str:
    """HTML's collapsing of white space; a number keeps its per cent sign on its line (« %» is written with a plain
    space, and a browser may break there too). A soft hyphen stays a place a word may break."""
    return UNIT_SPACE.sub("\\1\u00a0", re.sub(r"[ \t\r\n]+", " ", markup))


class _Plain(NamedTuple):
    """A table cell's plain text and style, drawn as a string if it fits its column (_Layout.plain_cells)."""
    text: str
    style: ParagraphStyle


class _Rule(Flowable):
    """h2's bottom border."""

    def __init__(self, colour: str = "#999999"):
        super().__init__()
        self.colour = colour

    def wrap(self, available_width, available_height):
        self.width = available_width
        return available_width, 6

    def draw(self):
        self.canv.setStrokeColor(colors.HexColor(self.colour))
        self.canv.setLineWidth(0.75)
        self.canv.line(0, 4, self.width, 4)


def _colour(value: str | None, default: str):
    """An SVG colour: `#rgb` is `#rrggbb` (ReportLab's HexColor would read it as a 24-bit number)."""
    value = value or default
    if re.fullmatch(r"#[0-9a-fA-F]{3}", value):
        value = "#" + "".join(c * 2 for c in value[1:])
    return colors.HexColor(value)


def _svg(el, font: str) -> Drawing:
    """An inline SVG chart of rectangles, lines and text (the `bars` macro) as a ReportLab drawing."""
    width, height = float(el.get("width")), float(el.get("height"))
    size = float(el.get("font-size") or 9)
    # CSS pixels to points, as a browser prints them.
    k = 0.75
    drawing = Drawing(width * k, height * k)
    for shape in el:
        tag = shape.tag
        if not isinstance(tag, str):
            continue
        tag = tag.rsplit("}", 1)[-1]
        if tag == "rect":
            x, y, w, h = (float(shape.get(a)) for a in ("x", "y", "width", "height"))
            drawing.add(Rect(x * k, (height - y - h) * k, w * k, h * k, strokeColor=None,
                             fillColor=_colour(shape.get("fill"), "#000000")))
        elif tag == "text":
            x, y = float(shape.get("x")), float(shape.get("y"))
            anchor = {"end": "end", "middle": "middle"}.get(shape.get("text-anchor") or "", "start")
            drawing.add(String(x * k, (height - y) * k, "".join(shape.itertext()), fontName=font,
                               fontSize=float(shape.get("font-size") or size) * k, textAnchor=anchor,
                               fillColor=_colour(shape.get("fill"), TEXT)))
        elif tag == "line":
            x1, y1, x2, y2 = (float(shape.get(a)) for a in ("x1", "y1", "x2", "y2"))
            drawing.add(Line(x1 * k, (height - y1) * k, x2 * k, (height - y2) * k,
                             strokeColor=_colour(shape.get("stroke"), "#000000"),
                             strokeWidth=float(shape.get("stroke-width") or 1) * k))
        else:
            raise LayoutError(f"<{tag}> in a chart is not laid out in PDF")
    return drawing


class _Table(Table):
    """A table that, split over pages, leaves no lone header or group row at a page's foot."""

    page_height = 0.0  # the frame's whole height: on a fresh page any split is taken
    _heights: tuple | None = None  # (column widths, the rows' heights measured so far)

    def _calc_height(self, availHeight, availWidth, H=None, W=None):  # noqa: N803 (ReportLab's names)
        # A table is measured at each wrap (a frame, a KeepTogether, a split each ask again): its rows' heights
        # depend on the columns' widths alone, so the rows measured before are not measured again.
        key = (availWidth, tuple(W) if W else None)
        given = self._argH
        if self._heights is not None and self._heights[0] == key:
            self._argH = self._heights[1]
        try:
            super()._calc_height(availHeight, availWidth, H, W)
        finally:
            self._argH = given
        if None in given:
            self._heights = (key, list(self._rowHeights))

    def split(self, available_width, available_height):
        parts = super().split(available_width, available_height)
        fresh_page = available_height >= self.page_height - 1
        heights = getattr(self, "_rowHeights", None) or [0]
        first_row_too_tall = max(heights[self.repeatRows:self.repeatRows + 1] or [0]) > \
            self.page_height - sum(heights[:self.repeatRows])
        if not parts and (fresh_page or first_row_too_tall):
            # A row taller than a whole page: it alone is split inside, where it is, as a browser does.
            self.splitInRow = 1
            parts = super().split(available_width, available_height)
            self.splitInRow = 0
        for part in parts:  # the parts are new tables: they keep the rules
            part.page_height, part.splitInRow = self.page_height, 0
        if parts and not fresh_page and len(self._cellvalues) > self.repeatRows + MIN_ROWS_AT_FOOT:
            if len(parts[0]._cellvalues) < self.repeatRows + MIN_ROWS_AT_FOOT:
                return []
        return parts


class _HeadingAndTable(KeepTogether):
    """A heading with the table it introduces: together on this page when the table's first rows fit under it
    (the table then continues on the next pages), else both on the next page — never the heading alone."""

    def split(self, available_width, available_height):
        heading, rule, table = self._content
        above = sum(f.wrap(available_width, available_height)[1] + f.getSpaceBefore() + f.getSpaceAfter()
                    for f in (heading, rule))
        if above < available_height:
            room = available_height - above - table.getSpaceBefore()
            page_height = table.page_height
            if available_height >= page_height - 1:  # at a page's top: under its heading is as fresh as it gets
                table.page_height = room
            table.wrap(available_width, room)
            parts = table.split(available_width, room)
            table.page_height = page_height
            for part in parts:
                part.page_height = page_height
            if parts:
                return [heading, rule, *parts]
        if available_height < table.page_height - 1:  # to the next page, still together
            return [self.FrameBreak(), self]
        return super().split(available_width, available_height)


def _headings_with_their_tables(flowables: list) -> list:
    out: list = []
    for f in flowables:
        if isinstance(f, _Table) and len(out) >= 2 and isinstance(out[-1], _Rule) and out[-1].keepWithNext:
            heading, rule = out[-2], out.pop()
            out.pop()
            heading.keepWithNext = rule.keepWithNext = 0
            out.append(_HeadingAndTable([heading, rule, f]))
        else:
            out.append(f)
    return out


@cache
def _derived_style(name: str, parent: ParagraphStyle, **attrs) -> ParagraphStyle:
    """A style derived from one of _styles, made once per process (its fragments are cached by style: _frags)."""
    return ParagraphStyle(name, parent, **attrs)


class _Layout:
    def __init__(self, kind: str, width: float, height: float):
        self.kind, self.width, self.height = kind, width, height
        self.styles = _styles(kind)
        self.font = _font(kind)

    def blocks(self, el) -> list:
        out: list = []
        if (el.text or "").strip():
            out.append(_Para(_tail(el.text), self.styles["body"]))
        for child in el:
            if isinstance(child.tag, str):
                out += self.block(child)
            if (child.tail or "").strip():
                out.append(_Para(_tail(child.tail), self.styles["body"]))
        return _headings_with_their_tables(out)

    def block(self, el) -> list:
        tag, classes = el.tag, _classes(el)
        if tag in ("h1", "h2"):
            heading = _Para(_inline(el), self.styles[tag])
            if tag == "h1":
                return [heading]
            rule = _Rule()
            rule.keepWithNext = 1  # with the heading, to what follows
            return [heading, rule]
        if tag == "p":
            return [self.paragraph(el, classes)]
        if tag == "table":
            return [self.table(el)]
        if tag == "ol":
            return self.ordered(el)
        if tag == "div" and classes == ["chart"]:
            return [KeepTogether(self.blocks(el))]
        if tag == "div" and classes == ["chart-title"]:
            return [_Para(_inline(el), self.styles["chart-title"])]
        if tag == "svg" or (isinstance(tag, str) and tag.endswith("}svg")):
            return [self.chart(el)]
        raise LayoutError(f"<{tag}{' class=' + repr(' '.join(classes)) if classes else ''}> is not laid out in PDF")

    def chart(self, el):
        drawing = _svg(el, self.font)
        if drawing.width > self.width:  # a chart wider than the page is shrunk to it, as a browser prints it
            k = self.width / drawing.width
            drawing.scale(k, k)
            drawing.width, drawing.height = drawing.width * k, drawing.height * k
        drawing.hAlign = "LEFT"
        return drawing

    def paragraph_style(self, classes: list[str]) -> ParagraphStyle:
        known = [c for c in classes if c in self.styles and c not in ("td", "th", "li", "body")]
        if len(known) != len(classes):
            raise LayoutError(f"<p class={' '.join(classes)!r}> is not laid out in PDF")
        return self.styles[known[0]] if known else self.styles["body"]

    def paragraph(self, el, classes: list[str]):
        p = _Para(_inline(el), self.paragraph_style(classes))
        if "note" in classes:  # a grey panel with a left rule
            box = _Table([[p]], colWidths=[self.width], style=TableStyle([
                ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#f6f6f6")),
                ("LINEBEFORE", (0, 0), (0, -1), 2.25, colors.HexColor("#888888")),
                ("LEFTPADDING", (0, 0), (-1, -1), 8), ("RIGHTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 4), ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]))
            box.spaceAfter, box.page_height = 8, self.height
            return box
        return p

    def ordered(self, el) -> list:
        items = [c for c in el if isinstance(c.tag, str)]
        if any(c.tag != "li" for c in items):
            raise LayoutError(f"<{next(c.tag for c in items if c.tag != 'li')}> in a list is not laid out in PDF")
        return [KeepTogether([*self.list_item(li, n), Spacer(0, 4)]) for n, li in enumerate(items, 1)]

    def list_item(self, li, n: int) -> list:
        """The item's runs of text and inline markup, and its paragraphs, in their order; the number on the first."""
        item: list = []
        run = li.makeelement("span", {})
        run.text = li.text

        def number() -> dict:
            return {} if item else {"bulletText": f"{n}."}

        def flush(run) -> None:
            markup = _inline(run)
            if markup:
                item.append(_Para(markup, self.styles["li"], **number()))

        for child in li:
            if not isinstance(child.tag, str):
                continue
            if child.tag == "p":
                flush(run)
                style = self.paragraph_style(_classes(child))
                item.append(_Para(_inline(child), _derived_style(style.name + "-li", style, leftIndent=14),
                                      **number()))
                run = li.makeelement("span", {})
                run.text = child.tail
            elif child.tag in INLINE_TAGS:
                run.append(child.__copy__())
            else:
                raise LayoutError(f"<{child.tag}> in a list item is not laid out in PDF")
        flush(run)
        return item or [_Para("", self.styles["li"], **number())]

    def table(self, el):
        small = "small" in _classes(el)
        z = "z" in _classes(el)
        widths = []
        for col in el.iter("col"):
            m = re.search(r"width:\s*([\d.]+)%", col.get("style") or "")
            widths.append(self.width * float(m.group(1)) / 100 if m else None)
        rows, commands, header_rows = [], [], 0
        for part in el:
            if not isinstance(part.tag, str) or part.tag in ("colgroup", "col"):
                continue
            if part.tag not in ("tr", "thead", "tbody"):
                raise LayoutError(f"<{part.tag}> in a table is not laid out in PDF")
            trs = [part] if part.tag == "tr" else [tr for tr in part if tr.tag == "tr"]
            for tr in trs:
                r = len(rows)
                if part.tag == "thead":
                    header_rows += 1
                row, c = [], 0
                for cell in tr:
                    if cell.tag not in ("td", "th"):
                        continue
                    if int(cell.get("rowspan") or 1) > 1:
                        raise LayoutError("<td rowspan> is not laid out in PDF")
                    row.append(self.cell(cell, small, z, (r, c), commands))
                    span = int(cell.get("colspan") or 1)
                    if span > 1:
                        commands.append(("SPAN", (c, r), (c + span - 1, r)))
                        row += [""] * (span - 1)
                    c += span
                rows.append(row)
                if r == header_rows and part.tag != "thead" and tr.findall("td") == [] and r == 0:
                    header_rows = 1  # a first row of headings only is repeated on each page, as a thead is
        n = max((len(r) for r in rows), default=0)
        if n == 0:
            raise LayoutError("an empty <table> is not laid out in PDF")
        rows = [r + [""] * (n - len(r)) for r in rows]
        if len(widths) != n:
            widths = [None] * n
        # As CSS's fixed table layout: columns without a width share what the others leave.
        free = [i for i, w in enumerate(widths) if w is None]
        if free:
            rest = max(self.width - sum(w for w in widths if w is not None), 0) / len(free)
            widths = [rest if w is None else w for w in widths]
        padding = 2 if z else 3
        self.plain_cells(rows, widths, padding if z else 4, commands)
        style = [("GRID", (0, 0), (-1, -1), 0.75, colors.HexColor(GRID)), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                 ("LEFTPADDING", (0, 0), (-1, -1), padding if z else 4),
                 ("RIGHTPADDING", (0, 0), (-1, -1), padding if z else 4),
                 ("TOPPADDING", (0, 0), (-1, -1), padding), ("BOTTOMPADDING", (0, 0), (-1, -1), padding + 1)]
        table = _Table(rows, colWidths=widths, repeatRows=header_rows, style=TableStyle(style + commands),
                      hAlign="LEFT")
        table.spaceBefore, table.spaceAfter, table.page_height = 4, 8, self.height
        return table

    def cell(self, cell, small: bool, z: bool, at: tuple[int, int], commands: list):
        r, c = at
        classes = _classes(cell)
        for child in cell:
            if isinstance(child.tag, str) and child.tag not in INLINE_TAGS:
                raise LayoutError(f"<{child.tag}> inside a table cell is not laid out in PDF")
        header = cell.tag == "th"
        base = self.styles["th" if header else "td"]
        size = 7.5 if z else 8.5 if small and not header else base.fontSize
        attrs = dict(fontSize=size, leading=size * 1.3)
        unknown = [k for k in classes if k not in ("num", "nowrap", "risk", "good", *CELL_BG)]
        if unknown:
            raise LayoutError(f"<{cell.tag} class={unknown[0]!r}> is not laid out in PDF")
        if "num" in classes:
            attrs["alignment"] = TA_RIGHT
        if "risk" in classes:
            attrs.update(textColor=colors.HexColor(RISK), fontName=self.font + "-Bold")
        if "good" in classes:
            attrs["textColor"] = colors.HexColor(GOOD)
        if header:
            commands.append(("BACKGROUND", (c, r), (c, r), colors.HexColor(HEAD_BG)))
        for k in classes:
            if k in CELL_BG:
                commands.append(("BACKGROUND", (c, r), (c, r), colors.HexColor(CELL_BG[k])))
        name = f"{base.name}-{size}-{'-'.join(classes)}"
        style = _derived_style(name, base, **attrs)  # a few kinds of cell, hundreds of cells
        if int(cell.get("colspan") or 1) == 1:
            if len(cell) == 0:
                return _Plain(_collapse(cell.text or "").strip(), style)
            only = self.only_inline(cell)
            if only is not None:  # «нет» in green, «17,6 %» in bold red, a direction's name in bold: a third of cells
                tag, kind = only
                colour, bold = _span_look(kind) if tag == "span" else (None, True)
                inline = {"textColor": colors.HexColor(colour)} if colour else {}
                if bold:
                    inline["fontName"] = self.font + "-Bold"
                style = _derived_style(f"{name}/{tag}.{kind}", style, **inline)
                return _Plain(_collapse(cell[0].text or "").strip(), style)
        return _Para(_inline(cell), style)

    @staticmethod
    def only_inline(cell) -> tuple[str, str] | None:
        """(tag, class) when the cell's whole content is one <b> or one coloured <span> of plain text; else None."""
        if len(cell) != 1 or (cell.text or "").strip():
            return None
        child = cell[0]
        if len(child) or (child.tail or "").strip() or not child.text:
            return None
        if child.tag == "b" and not child.attrib:
            return "b", ""
        if child.tag == "span" and _classes(child) in (["good"], ["risk"]) and len(child.attrib) == 1:
            return "span", _classes(child)[0]
        return None

    @staticmethod
    def plain_cells(rows: list[list], widths: list[float], padding: float, commands: list) -> None:
        """A cell of plain text that fits its column on one line is drawn by the table as a string, as its
        paragraph would draw it (the same baseline and height), at a fraction of a paragraph's cost; any other
        becomes a paragraph. The strings' styles are given per run of such cells down a column (a column of
        numbers is one run): a command per cell was a tenth of a table's cost."""
        looks: dict[tuple[int, int], ParagraphStyle] = {}
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if not isinstance(value, _Plain):
                    continue
                text, style = value
                if "\u00ad" in text or pdfmetrics.stringWidth(text, style.fontName, style.fontSize) > \
                        widths[c] - 2 * padding:
                    row[c] = _Para(escape(text), style)
                    continue
                row[c] = text
                looks[(c, r)] = style
        for (c, r), style in looks.items():
            if looks.get((c, r - 1)) is style:
                continue  # inside a run begun above
            end = r
            while looks.get((c, end + 1)) is style:
                end += 1
            commands += [("FONT", (c, r), (c, end), style.fontName, style.fontSize, style.leading),
                         ("TEXTCOLOR", (c, r), (c, end), style.textColor)]
            if style.alignment == TA_RIGHT:
                commands.append(("ALIGN", (c, r), (c, end), "RIGHT"))


class _NumberedCanvas(rl_canvas.Canvas):
    """«стр. N из M» at each page's bottom right: pages are kept until the total is known."""

    def __init__(self, *args, footer_font: str, **kwargs):
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []
        self._footer_font = footer_font

    def showPage(self):  # noqa: N802 (ReportLab's name)
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self.setFont(self._footer_font, 8)
            self.setFillColor(colors.HexColor("#666666"))
            width = self._pagesize[0]
            self.drawRightString(width - MARGINS["rightMargin"], MARGINS["bottomMargin"] - 10 * mm,
                                 f"стр. {self._pageNumber} из {total}")
            super().showPage()
        super().save()


def render_pdf(html: bytes | str) -> bytes:
    """The PDF of a document's HTML (A4; landscape where its style says `A4 landscape`)."""
    text = html.decode("utf-8") if isinstance(html, bytes) else html
    root = lxml_html.document_fromstring(text)
    style = " ".join(s.text or "" for s in root.iter("style"))
    # The last `body` rule wins, as in CSS: the draft order's own sets a serif face over _base.css's sans.
    body_rules = re.findall(r"(?<![\w.-])body\s*\{([^}]*)\}", style)
    kind = "serif" if body_rules and "DejaVu Serif" in body_rules[-1] else "sans"
    size = landscape(A4) if re.search(r"size:\s*A4\s+landscape", style) else A4
    title = (root.findtext(".//title") or "").strip()
    buffer = io.BytesIO()
    font = _font(kind)
    # The canvas starts in the document's face, not Helvetica (which has no Cyrillic).
    doc = BaseDocTemplate(buffer, pagesize=size, title=title, author="", creator="edu-quality", invariant=1,
                          initialFontName=font, **MARGINS)
    # The page's content box is the CSS page's: no frame padding inside the margins.
    doc.addPageTemplates([PageTemplate("page", [Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height,
                                                      leftPadding=0, rightPadding=0, topPadding=0,
                                                      bottomPadding=0)])])
    layout = _Layout(kind, doc.width, doc.height)
    body = root.find("body")
    story = layout.blocks(body)
    doc.build(story, canvasmaker=lambda *a, **k: _NumberedCanvas(*a, footer_font=font, **k))
    return buffer.getvalue()
