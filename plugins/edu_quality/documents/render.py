"""Rendering documents from Jinja2 templates in include/templates/ to HTML and PDF (WeasyPrint).

Every number comes from the warehouse's mart views. Rendering runs in parallel processes; the same
inputs give byte-identical HTML (no timestamps, stable ordering).
"""
from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine

from edu_quality.config import PATHS
from edu_quality.documents.templating import environment
from edu_quality.formatting import cell, date_ru
from edu_quality.recommendations.choose import risk_level
from edu_quality.recommendations.due import add_months
from edu_quality.faults import failpoint

log = logging.getLogger(__name__)
# Charts where a reader would rather look than read: the headline results.
CHART_INDICATORS = ("vpr_share_mark_2", "vpr_share_marks_4_5", "vpr_share_mark_gap_2plus")


def _num(v):
    return None if v is None else float(v)


def school_contexts(engine: Engine, year: int, issued_on: date, municipality_code: str | None = None) -> list[dict]:
    """What each school's document shows; with `municipality_code`, that municipality's schools only."""
    only = {"y": year, "mo": municipality_code}
    with engine.connect() as conn:
        schools = conn.execute(text(
            "select s.school_code, s.school_name, s.municipality_code, m.municipality_name, s.school_type, "
            "s.locality, s.head_name, s.students, st.cluster_name_ru, st.cluster from core.school s "
            "join core.municipality m using (year, municipality_code) "
            "left join mart.school_status st on st.year = s.year and st.school_code = s.school_code "
            "where s.year = :y and (cast(:mo as text) is null or s.municipality_code = :mo) "
            "order by s.municipality_code, s.school_code"), only).mappings().all()
        cluster_of = {s["school_code"]: s["cluster"] for s in schools}
        # The school's cluster (comparable schools, see the analysis) as a third reference, computed
        # like the other levels: a ratio of the cluster schools' summed numerators and denominators.
        cluster_values = {(r[0], r[1]): r[2] for r in conn.execute(text(
            "select st.cluster, v.indicator_code, case when sum(v.denominator) > 0 "
            " then sum(v.numerator)::numeric / sum(v.denominator) * c.scale end as value "
            "from mart.indicator_values v join mart.school_status st on st.year = v.year "
            " and st.school_code = v.unit_code join core.indicator c using (indicator_code) "
            "where v.year = :y and v.level = 'school' and c.aggregation = 'ratio_of_sums' "
            " and st.cluster is not null group by st.cluster, v.indicator_code, c.scale"), {"y": year})}
        # Schools' clusters and the municipality and region values are looked up here, not joined: the
        # indicator view joined to the school tables (row security on both) made the planner choose plans
        # that took minutes for a 900-school region; the view alone answers in a tenth of a second.
        higher = {(r[0], r[1], r[2]): r[3] for r in conn.execute(text(
            "select level, unit_code, indicator_code, value from mart.indicator_values "
            "where year = :y and level in ('municipality', 'region')"), {"y": year})}
        rows = conn.execute(text(
            "select v.unit_code, v.indicator_code, v.value, v.previous_value, v.change, v.municipality_code, "
            "c.name_ru, c.unit, c.polarity, c.thresholds, c.direction_code "
            "from mart.indicator_values v join core.indicator c using (indicator_code) "
            "where v.year = :y and v.level = 'school' and v.unit_code = any(:codes) "
            "order by c.direction_code, v.indicator_code"), {"y": year, "codes": list(cluster_of)}).mappings().all()
        region_code = next((k[1] for k in higher if k[0] == "region"), None)
        values = [{**r, "municipality_value": higher.get(("municipality", r["municipality_code"], r["indicator_code"])),
                   "region_value": higher.get(("region", region_code, r["indicator_code"])),
                   "cluster_value": cluster_values.get((cluster_of.get(r["unit_code"]), r["indicator_code"]))}
                  for r in rows if r["unit_code"] in cluster_of]
        recs = conn.execute(text(
            "select unit_code, recommendation_code, text_ru, basis_ru, due_date from mart.recommendations "
            "where year = :y and level = 'school' order by unit_code, recommendation_code"),
            {"y": year}).mappings().all()
    by_school: dict[str, list] = {}
    for v in values:
        item = {k: v[k] for k in ("indicator_code", "name_ru", "unit", "polarity")}
        for k in ("value", "previous_value", "change", "municipality_value", "cluster_value", "region_value"):
            item[k] = _num(v[k])
        item["risk"] = risk_level(item["value"], v["polarity"], v["thresholds"])
        by_school.setdefault(v["unit_code"], []).append(item)
    recs_by_school: dict[str, list] = {}
    for r in recs:
        recs_by_school.setdefault(r["unit_code"], []).append({**r, "due_date_ru": date_ru(r["due_date"])})
    due = add_months(issued_on, 1)
    contexts = []
    for s in schools:
        indicators = by_school.get(s["school_code"], [])
        contexts.append({
            "year": year, "school": {k: v for k, v in s.items() if k != "cluster"}, "indicators": indicators,
            "chart_indicators": [i for i in indicators if i["indicator_code"] in CHART_INDICATORS],
            "recommendations": recs_by_school.get(s["school_code"], []),
            "issued_on_ru": date_ru(issued_on), "due_date_ru": date_ru(due),
        })
    return contexts


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _write_docx(context: dict, path: Path) -> None:
    """The editable Word version (docxtpl), from the same context as the HTML."""
    import io

    from docxtpl import DocxTemplate

    from edu_quality.documents.docx_templates import SCHOOL_TEMPLATE

    doc = DocxTemplate(str(PATHS.templates / SCHOOL_TEMPLATE))
    indicators = [{**i, "value_ru": cell(i["value"], i["unit"]), "previous_ru": cell(i["previous_value"], i["unit"]),
                   "municipality_ru": cell(i["municipality_value"], i["unit"]),
                   "region_ru": cell(i["region_value"], i["unit"])} for i in context["indicators"]]
    plan = context["recommendations"] or [{"recommendation_code": "—", "due_date_ru": context["due_date_ru"]}]
    doc.render({**context, "indicators": indicators, "plan_rows": plan}, autoescape=True)
    buffer = io.BytesIO()
    doc.save(buffer)
    _atomic_write(path, buffer.getvalue())


def _write(args: tuple[str, dict, str, tuple[str, ...]]) -> list[tuple[str, str, str]]:
    template, context, out_stem, formats = args
    html = environment().get_template(template).render(**context).encode("utf-8")
    stem = Path(out_stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    html_path, pdf_path = stem.with_suffix(".html"), stem.with_suffix(".pdf")
    # The HTML is written last and atomically, so an identical HTML on disk means this document's
    # PDF is complete too: a rerun of an unchanged year renders nothing, a killed run redoes the rest.
    unchanged = html_path.exists() and html_path.read_bytes() == html
    written = []
    if "pdf" in formats:
        if not (unchanged and pdf_path.exists()):
            from weasyprint import HTML  # imported in the worker: heavy, and only PDF needs it

            _atomic_write(pdf_path, HTML(string=html.decode("utf-8"), base_url=str(PATHS.templates)).write_pdf())
        written.append(("pdf", str(pdf_path), hashlib.sha256(pdf_path.read_bytes()).hexdigest()))
    if "docx" in formats:
        docx_path = stem.with_suffix(".docx")
        if not (unchanged and docx_path.exists()):
            _write_docx(context, docx_path)
        written.append(("docx", str(docx_path), hashlib.sha256(docx_path.read_bytes()).hexdigest()))
    if "html" in formats:
        if not unchanged:
            _atomic_write(html_path, html)
        written.append(("html", str(html_path), hashlib.sha256(html).hexdigest()))
    return written


def render_schools(engine: Engine, year: int, out_dir: Path, issued_on: date,
                   formats: tuple[str, ...] = ("html", "pdf", "docx"), workers: int | None = None,
                   only_municipality: str | None = None) -> int:
    contexts = school_contexts(engine, year, issued_on, only_municipality)
    jobs = [("school_recommendations.html.j2", c,
             str(out_dir / str(year) / c["school"]["municipality_code"] / f"{c['school']['school_code']}_рекомендации"),
             formats) for c in contexts]
    workers = workers or min(os.cpu_count() or 1, 4)
    records = []
    # A daemonic process (a Celery prefork pool worker, where the CeleryExecutor runs tasks) may not
    # start children: render one after another there; the DAG already maps municipalities over workers.
    if workers > 1 and len(jobs) > 1 and not multiprocessing.current_process().daemon:
        if "pdf" in formats:  # imported once here, the forked workers inherit it instead of each importing it
            import weasyprint  # noqa: F401
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for job, written in zip(jobs, pool.map(_write, jobs, chunksize=4)):
                records += [(job[1]["school"]["school_code"], *w) for w in written]
                failpoint("documents.school")
    else:
        for job in jobs:
            records += [(job[1]["school"]["school_code"], *w) for w in _write(job)]
            failpoint("documents.school")
    with engine.begin() as conn:
        if records:
            conn.execute(text(
                "insert into core.document (year, kind, unit_code, format, path, sha256) values "
                "(:y, 'school_recommendations', :u, :f, :p, :h) on conflict (year, kind, unit_code, format) "
                "do update set path = excluded.path, sha256 = excluded.sha256, written_at = now()"),
                [{"y": year, "u": u, "f": f, "p": p, "h": h} for u, f, p, h in records])
    log.info("wrote %d files for %d schools", len(records), len(jobs))
    return len(records)
