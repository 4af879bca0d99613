"""The Word writer's shortcuts over docxtpl (documents/writer.py): the same document as docxtpl's own render."""
from __future__ import annotations

import io
import zipfile

import docx
import pytest
from docxtpl import DocxTemplate

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
