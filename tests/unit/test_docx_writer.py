"""The Word writer's shortcuts over docxtpl (documents/writer.py): the same document as docxtpl's own render."""
from __future__ import annotations

import io
import re
import zipfile

import docx
import pytest
from docxtpl import DocxTemplate

from edu_quality.config import PATHS
from edu_quality.documents.docx_templates import (
    ORDER_TEMPLATE,
    SCHOOL_TEMPLATE,
    build_order_template,
    build_school_template,
)
from edu_quality.documents.writer import _docx_environment, _template_class


@pytest.fixture
def template(tmp_path):
    d = docx.Document()
    d.add_paragraph("Школа: {{ name }}")
    d.add_paragraph("{% for r in rows %}{{ r }}; {% endfor %}")
    table = d.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "{%tr for r in rows %}", ""
    table.cell(1, 0).text, table.cell(1, 1).text = "{{ r }}", "{%tr endfor %}"
    path = tmp_path / "t.docx"
    d.save(path)
    return path


def _body(cls, path, context) -> bytes:
    doc = cls(str(path))
    doc.render(context, jinja_env=_docx_environment(), autoescape=True)
    buffer = io.BytesIO()
    doc.save(buffer)
    return zipfile.ZipFile(buffer).read("word/document.xml")


@pytest.mark.parametrize("context", [
    {"name": "МБОУ «СОШ № 1»", "rows": ["a", "b & c"]},
    {"name": "две\nстроки\tс табуляцией", "rows": ["перенос\nстроки"]},  # docxtpl's listing: Word's breaks
])
def test_the_writers_template_renders_what_docxtpl_renders(template, context):
    ours = _body(_template_class(), template, context)
    assert ours == _body(DocxTemplate, template, context)
    assert ours == _body(_template_class(), template, context)  # the patched XML reused: the same again
    if "\n" in context["name"]:
        assert b"<w:br/>" in ours and b"<w:tab/>" in ours


@pytest.mark.parametrize("name, build", [(SCHOOL_TEMPLATE, build_school_template),
                                         (ORDER_TEMPLATE, build_order_template)])
def test_a_template_is_its_builders_and_defines_only_the_styles_it_uses(name, build, tmp_path):
    """A Word file is rendered from its template 900 times a region: the template carries the styles its text uses
    (and their bases), not python-docx's 160 (790 KB of XML parsed, written and compressed each time)."""
    committed = zipfile.ZipFile(PATHS.templates / name)
    build(tmp_path / name)
    built = zipfile.ZipFile(tmp_path / name)
    for part in ("word/document.xml", "word/styles.xml", "[Content_Types].xml"):
        assert committed.read(part) == built.read(part), f"{name}: rebuild it (python -m {build.__module__})"
    styles = committed.read("word/styles.xml").decode()
    defined = set(re.findall(r'w:styleId="([^"]+)"', styles))
    named = set()  # every style any part names: the body, the list numbering, headers and footers
    for part in committed.namelist():
        if part.endswith(".xml") and part != "word/styles.xml":
            named |= set(re.findall(r'<w:(?:pStyle|rStyle|tblStyle) w:val="([^"]+)"', committed.read(part).decode()))
    assert named and named <= defined
    assert len(defined) <= 20  # with their linked and base styles and Word's defaults, not python-docx's 160
    assert "word/stylesWithEffects.xml" not in committed.namelist()
