"""Each school head's targeted recommendations (адресные рекомендации): HTML, PDF and an editable DOCX.

Every number comes from the warehouse's mart views (queries in sql/documents/school_recommendations/);
this module shapes them into each school's context, documents/writer.py renders and writes the files.
"""
from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

from sqlalchemy.engine import Engine

from edu_quality.documents import paths, queries, writer
from edu_quality.documents.docx_templates import SCHOOL_TEMPLATE
from edu_quality.faults import failpoint
from edu_quality.formatting import cell, date_ru
from edu_quality.recommendations.choose import risk_level
from edu_quality.recommendations.due import add_months

log = logging.getLogger(__name__)
QUERIES = "school_recommendations/"
# Charts where a reader would rather look than read: the headline results.
CHART_INDICATORS = ("vpr_share_mark_2", "vpr_share_marks_4_5", "vpr_share_mark_gap_2plus")
REFERENCE_LEVELS = ("value", "previous_value", "change", "municipality_value", "cluster_value", "region_value")


def _num(v):
    return None if v is None else float(v)


def _indicator_rows(conn, year: int, schools: list) -> list[dict]:
    """The schools' indicator values, each with its municipality's, cluster's and region's value."""
    cluster_of = {s["school_code"]: s["cluster"] for s in schools}
    cluster_values = {(r[0], r[1]): r[2] for r in queries.run(conn, QUERIES + "cluster_values", year=year)}
    higher = {(r[0], r[1], r[2]): r[3] for r in queries.run(conn, QUERIES + "higher_levels", year=year)}
    rows = queries.run(conn, QUERIES + "indicator_values", year=year, school_codes=list(cluster_of)).mappings().all()
    region_code = next((k[1] for k in higher if k[0] == "region"), None)
    return [{**r, "municipality_value": higher.get(("municipality", r["municipality_code"], r["indicator_code"])),
             "region_value": higher.get(("region", region_code, r["indicator_code"])),
             "cluster_value": cluster_values.get((cluster_of.get(r["unit_code"]), r["indicator_code"]))}
            for r in rows if r["unit_code"] in cluster_of]


def _by_school(values: list[dict]) -> dict[str, list]:
    by_school: dict[str, list] = {}
    for v in values:
        item = {k: v[k] for k in ("indicator_code", "name_ru", "unit", "polarity")}
        for k in REFERENCE_LEVELS:
            item[k] = _num(v[k])
        item["risk"] = risk_level(item["value"], v["polarity"], v["thresholds"])
        by_school.setdefault(v["unit_code"], []).append(item)
    return by_school


def school_contexts(engine: Engine, year: int, issued_on: date, municipality_code: str | None = None) -> list[dict]:
    """What each school's document shows; with `municipality_code`, that municipality's schools only."""
    with engine.connect() as conn:
        schools = queries.run(conn, QUERIES + "schools", year=year,
                              municipality_code=municipality_code).mappings().all()
        values = _indicator_rows(conn, year, schools)
        recs = queries.run(conn, QUERIES + "recommendations", year=year).mappings().all()
    by_school = _by_school(values)
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


def docx_context(context: dict) -> dict:
    """The Word version's context: the table's numbers already formatted, the plan never empty."""
    indicators = [{**i, "value_ru": cell(i["value"], i["unit"]), "previous_ru": cell(i["previous_value"], i["unit"]),
                   "municipality_ru": cell(i["municipality_value"], i["unit"]),
                   "region_ru": cell(i["region_value"], i["unit"])} for i in context["indicators"]]
    plan = context["recommendations"] or [{"recommendation_code": "—", "due_date_ru": context["due_date_ru"]}]
    return {**context, "indicators": indicators, "plan_rows": plan}


def school_document(context: dict, out_dir: Path, formats: tuple[str, ...]) -> writer.Document:
    school = context["school"]
    return writer.Document(
        kind="school_recommendations", unit_code=school["school_code"], template="school_recommendations.html.j2",
        context=context, formats=formats, docx_template=SCHOOL_TEMPLATE,
        docx_context=docx_context(context) if "docx" in formats else None,
        stem=paths.municipality_folder(out_dir, context["year"], school["municipality_code"])
        / f"{paths.part(school['school_code'])}_рекомендации", root=paths.year_root(out_dir, context["year"]))


def render_schools(engine: Engine, year: int, out_dir: Path, issued_on: date,
                   formats: tuple[str, ...] = ("html", "pdf", "docx"), workers: int | None = None,
                   only_municipality: str | None = None) -> int:
    documents = [school_document(c, out_dir, formats)
                 for c in school_contexts(engine, year, issued_on, only_municipality)]
    records = []
    for written in writer.write_many(documents, workers):
        records += written
        failpoint("documents.school")
    writer.record(engine, year, records)
    log.info("wrote %d files for %d schools", len(records), len(documents))
    return len(records)
