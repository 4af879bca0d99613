"""The one writer of every document file — HTML, PDF (laid out from the HTML: documents/pdf.py), DOCX (docxtpl) —
and of the `core.document` record of each.

Files are written atomically (a temporary file renamed over the old one). A document's HTML is written
last, so an identical HTML on disk means its PDF and DOCX are complete too: a rerun of an unchanged
year renders nothing, a killed run redoes the rest. The same inputs give byte-identical HTML.
"""
from __future__ import annotations

import hashlib
import io
import logging
import multiprocessing
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from itertools import chain
from pathlib import Path

from sqlalchemy.engine import Engine

from edu_quality.config import PATHS
from edu_quality.documents import paths, queries
from edu_quality.documents.templating import environment

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Document:
    """One document: its HTML template and context, where its files go (`stem` + .html/.pdf/.docx)."""
    kind: str
    unit_code: str
    template: str
    context: dict
    stem: Path
    formats: tuple[str, ...] = ("html", "pdf")
    docx_template: str | None = None
    docx_context: dict | None = None  # the Word version's, when it differs from the HTML's
    root: Path | None = None          # the year's output folder: the files must land inside it


# (kind, unit_code, format, path, sha256): one row of core.document
Record = tuple[str, str, str, str, str]


def atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _pdf(html: bytes) -> bytes:
    from edu_quality.documents.pdf import render_pdf  # imported where it is used: only PDF needs ReportLab

    return render_pdf(html)


@cache
def _docx_environment():
    """docxtpl compiles each part of a Word template anew at every render, though its XML is the same each time:
    this environment compiles each once per process (a quarter of a DOCX's time)."""
    from jinja2 import Environment

    class Compiled(Environment):
        compiled: dict = {}

        def from_string(self, source, globals=None, template_class=None):  # noqa: A002 (Jinja's name)
            if globals or template_class:
                return super().from_string(source, globals, template_class)
            if source not in self.compiled:
                self.compiled[source] = super().from_string(source)
            return self.compiled[source]

    return Compiled(autoescape=True)


@cache
def _template_class():
    """docxtpl's template, with two of its steps skipped where their result is known: `patch_xml` (a dozen regular
    expressions over the template's XML, the same at every render) is done once per XML text, and `resolve_listing`
    (which turns tabs, line and page breaks in the rendered text into Word's elements) is skipped when the
    rendered XML holds none of those characters — it would return the text unchanged."""
    from docxtpl import DocxTemplate

    class Template(DocxTemplate):
        patched: dict[str, str] = {}

        def patch_xml(self, src_xml):
            if src_xml not in self.patched:
                self.patched[src_xml] = super().patch_xml(src_xml)
            return self.patched[src_xml]

        def resolve_listing(self, xml):
            if not any(c in xml for c in "\t\a\n\f"):
                return xml
            return super().resolve_listing(xml)

    return Template


def _docx(template: str, context: dict) -> bytes:
    doc = _template_class()(str(PATHS.templates / template))
    doc.render(context, jinja_env=_docx_environment(), autoescape=True)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write(document: Document) -> list[Record]:
    """Write the document's files that are missing or stale; a record for each of its formats."""
    stem = Path(document.stem)
    if document.root is not None:  # no input decides where output goes (documents/paths.py)
        paths.inside(document.root, stem.parent / (stem.name + ".html"))
    html = environment().get_template(document.template).render(**document.context).encode("utf-8")
    stem.parent.mkdir(parents=True, exist_ok=True)
    html_path = stem.with_suffix(".html")
    unchanged = html_path.exists() and html_path.read_bytes() == html
    written = []
    if "pdf" in document.formats:
        pdf_path = stem.with_suffix(".pdf")
        if not (unchanged and pdf_path.exists()):
            atomic_write(pdf_path, _pdf(html))
        written.append(("pdf", pdf_path, _sha256(pdf_path)))
    if "docx" in document.formats:
        docx_path = stem.with_suffix(".docx")
        if not (unchanged and docx_path.exists()):
            context = document.context if document.docx_context is None else document.docx_context
            atomic_write(docx_path, _docx(document.docx_template, context))
        written.append(("docx", docx_path, _sha256(docx_path)))
    if "html" in document.formats:
        if not unchanged:
            atomic_write(html_path, html)
        written.append(("html", html_path, hashlib.sha256(html).hexdigest()))
    return [(document.kind, document.unit_code, f, str(p), h) for f, p, h in written]


class _SharedPool:
    """The pool of the outermost `shared_pool` block (a nested block shares it): made at its first use, closed
    with that block."""
    executor: ProcessPoolExecutor | None = None
    workers: int | None = None
    depth = 0


@contextmanager
def shared_pool() -> Iterator[None]:
    """One pool of processes for every `write_many` inside the block (a loop over municipalities). A pool's
    workers start cold — each compiles the templates, loads the hyphenation dictionary and fills the text
    caches — so a pool per municipality paid that forty times over a region (a tenth of the documents' time)."""
    _SharedPool.depth += 1
    failed = True
    try:
        yield
        failed = False
    finally:
        _SharedPool.depth -= 1
        if _SharedPool.depth == 0 and _SharedPool.executor is not None:
            _SharedPool.executor.shutdown(cancel_futures=failed)  # after an error, what is queued is not written
            _SharedPool.executor = None


@contextmanager
def _pool(workers: int) -> Iterator[ProcessPoolExecutor]:
    if not _SharedPool.depth:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            yield pool
        return
    if _SharedPool.executor is None or _SharedPool.workers != workers:
        if _SharedPool.executor is not None:
            _SharedPool.executor.shutdown()
        _SharedPool.executor, _SharedPool.workers = ProcessPoolExecutor(max_workers=workers), workers
    yield _SharedPool.executor


def write_many(documents: Iterable[Document], workers: int | None = None) -> Iterator[list[Record]]:
    """Each document's records, in order, as it is written; in parallel processes where allowed. `documents` may
    be lazy: each is handed to the pool as it is made, so the workers write the first while the rest are made."""
    workers = workers or min(os.cpu_count() or 1, 4)
    documents = iter(documents)
    first = next(documents, None)
    if first is None:
        return
    documents = chain([first], documents)
    if "pdf" in first.formats:  # fonts registered once here, the forked workers inherit them
        from edu_quality.documents.pdf import prepare

        prepare()
    # A daemonic process (a Celery prefork pool worker, where the CeleryExecutor runs tasks) may not
    # start children: write one after another there; the DAG already maps municipalities over workers.
    if workers > 1 and not multiprocessing.current_process().daemon:
        with _pool(workers) as pool:
            yield from pool.map(write, documents, chunksize=1)  # documents differ in length: one at a time balances
    else:
        yield from map(write, documents)


def record(engine: Engine, year: int, records: Iterable[Record]) -> None:
    """Record written files in core.document (a rerun updates the same rows)."""
    rows = [{"year": year, "kind": k, "unit_code": u, "format": f, "path": p, "sha256": h}
            for k, u, f, p, h in records]
    if rows:
        with engine.begin() as conn:
            queries.run(conn, "record", rows)
