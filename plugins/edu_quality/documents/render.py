"""Each school head's targeted recommendations (адресные рекомендации): HTML, PDF and an editable DOCX.

Every number comes from the warehouse's mart views (queries in sql/documents/school_recommendations/);
this module shapes them into each school's context, documents/writer.py renders and writes the files.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from itertools import chain
from pathlib import Path

from sqlalchemy.engine import Engine

from edu_quality.analysis.head_effectiveness import vpr_weight
from edu_quality.analysis.settings import load_settings
from edu_quality.documents import paths, queries, writer
from edu_quality.documents.appendix import appendix_rows
from edu_quality.documents.docx_templates import SCHOOL_TEMPLATE
from edu_quality.documents.findings import cite_documents, drivers, school_findings
from edu_quality.faults import failpoint
from edu_quality.formatting import cell, date_ru, quotes_ru, sentence, value
from edu_quality.recommendations.catalogue import rule_conditions
from edu_quality.recommendations.choose import risk_level
from edu_quality.recommendations.due import calendar_ru, due_date

log = logging.getLogger(__name__)
QUERIES = "school_recommendations/"
# Charts where a reader would rather look than read: the headline results.
CHART_INDICATORS = ("vpr_share_mark_2", "vpr_share_marks_4_5", "vpr_share_mark_gap_2plus")
STATUS_SUMMARY_RU = {
    "low_results": "школа с низкими образовательными результатами",
    "unfavorable_conditions": "школа, функционирующая в неблагоприятных социальных условиях",
    "biased_results_suspected": "есть признаки необъективности результатов, которые требуют проверки (это не вывод "
                                "о нарушениях)",
    "successful_practice": "школа — носитель успешной практики"}
# The summary's headline results: the school's place against its municipality, cluster and region.
HEADLINE_INDICATORS = ("vpr_share_mark_2", "vpr_share_marks_4_5", "oge_share_mark_2", "ege_share_below_min")
REFERENCE_LEVELS = ("value", "previous_value", "change", "municipality_value", "cluster_value", "region_value")


def _num(v):
    return None if v is None else float(v)


@dataclass(frozen=True)
class References:
    """What every school document of a year shares: the cluster, municipality and region values and the
    catalogue's settings. Read once per municipality's task, or once for a loop over all municipalities
    (the cluster values are a region-wide aggregate: a sixth of a second each time)."""
    cluster_values: dict
    higher: dict
    region_code: str | None  # the region's key in `higher`
    conditions: dict
    head_vpr_weight_ru: str | None


def references(conn, year: int) -> References:
    higher = {(r[0], r[1], r[2]): r[3] for r in queries.run(conn, QUERIES + "higher_levels", year=year)}
    return References(
        cluster_values={(r[0], r[1]): r[2] for r in queries.run(conn, QUERIES + "cluster_values", year=year)},
        higher=higher, region_code=next((k[1] for k in higher if k[0] == "region"), None),
        conditions=rule_conditions(), head_vpr_weight_ru=head_vpr_weight())


def _indicator_rows(conn, year: int, schools: list, refs: References) -> list[dict]:
    """The schools' indicator values, each with its municipality's, cluster's and region's value."""
    cluster_of = {s["school_code"]: s["cluster"] for s in schools}
    higher = refs.higher
    rows = queries.run(conn, QUERIES + "indicator_values", year=year, school_codes=list(cluster_of)).mappings().all()
    region_code = refs.region_code
    return [{**r, "municipality_value": higher.get(("municipality", r["municipality_code"], r["indicator_code"])),
             "region_value": higher.get(("region", region_code, r["indicator_code"])),
             "cluster_value": refs.cluster_values.get((cluster_of.get(r["unit_code"]), r["indicator_code"]))}
            for r in rows if r["unit_code"] in cluster_of]


def _by_school(values: list[dict]) -> dict[str, list]:
    by_school: dict[str, list] = {}
    for v in values:
        item = {k: v[k] for k in ("indicator_code", "name_ru", "unit", "polarity", "thresholds", "direction_code",
                                       "direction_name_ru")}
        for k in REFERENCE_LEVELS:
            item[k] = _num(v[k])
        item["risk"] = risk_level(item["value"], v["polarity"], v["thresholds"])
        by_school.setdefault(v["unit_code"], []).append(item)
    return by_school


def _grouped(conn, name: str, year: int, codes: list[str], key: str = "school_code") -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for r in queries.run(conn, QUERIES + name, year=year, school_codes=codes).mappings():
        out.setdefault(r[key], []).append(dict(r))
    return out


def _analysis(conn, year: int, codes: list[str]) -> dict:
    """The analysis of the given schools (one municipality's, as a task writes them): risk profile, heads'
    monitoring, statuses, practices, recommendations."""
    return {"factors": _grouped(conn, "risk_profile", year, codes),
            "heads": _grouped(conn, "head_effectiveness", year, codes),
            "practices": _grouped(conn, "practices", year, codes),
            "status": {r["school_code"]: dict(r) for r in queries.run(conn, QUERIES + "statuses", year=year,
                                                                     school_codes=codes).mappings()},
            "recs": _grouped(conn, "recommendations", year, codes, "unit_code")}


def _context(year: int, s: dict, indicators: list[dict], analysis: dict, conditions: dict) -> dict:
    code = s["school_code"]
    recs = [{**r, "due_date_ru": date_ru(r["due_date"])} for r in analysis["recs"].get(code, [])]
    factors = analysis["factors"].get(code, [])
    heads = [{**h, "drivers_ru": drivers(h)} for h in analysis["heads"].get(code, [])]
    findings = school_findings(indicators, factors, heads, analysis["status"].get(code),
                               analysis["practices"].get(code, []), recs, conditions)
    school = {**{k: v for k, v in s.items() if k != "cluster"}, "school_name": quotes_ru(s["school_name"])}
    appendix = appendix_rows(indicators, s.get("school_type"))
    documents = cite_documents(recs)
    numbers = {f["key"]: f["number"] for f in findings}
    return {"year": year, "school": school, "indicators": indicators, "appendix": appendix,
            "documents": documents, "finding_numbers": numbers,
            "headline": [i for i in appendix if i["indicator_code"] in HEADLINE_INDICATORS],
            "status": analysis["status"].get(code) or {},
            "chart_indicators": [i for i in indicators if i["indicator_code"] in CHART_INDICATORS],
            "recommendations": recs, "findings": findings, "factors": factors, "heads": heads,
            "any_risk": any(f["risk"] for f in findings)}


def head_vpr_weight() -> str | None:
    """«14,4 %»: the part of the heads' score that rests on ВПР with full data; None when ВПР is left out."""
    cfg = load_settings()["head_effectiveness"]
    if not cfg.get("use_vpr", True):
        return None
    return value(vpr_weight(cfg), "%")


def school_contexts(engine: Engine, year: int, issued_on: date, municipality_code: str | None = None,
                    refs: References | None = None) -> list[dict]:
    """What each school's document shows; with `municipality_code`, that municipality's schools only."""
    with engine.connect() as conn:
        refs = refs or references(conn, year)
        schools = queries.run(conn, QUERIES + "schools", year=year,
                              municipality_code=municipality_code).mappings().all()
        values = _indicator_rows(conn, year, schools, refs)
        analysis = _analysis(conn, year, [s["school_code"] for s in schools])
    by_school = _by_school(values)
    due = due_date(issued_on, 1)
    years = {due.year} | {r["due_date"].year for recs in analysis["recs"].values() for r in recs}
    dates = {"issued_on_ru": date_ru(issued_on), "due_date_ru": date_ru(due), "calendar_ru": calendar_ru(years),
             "head_vpr_weight_ru": refs.head_vpr_weight_ru}
    return [{**_context(year, dict(s), by_school.get(s["school_code"], []), analysis, refs.conditions), **dates}
            for s in schools]


def _answer_ru(finding: dict) -> str:
    if not finding["recommendations"]:
        return finding["why_none_ru"]
    return " ".join(f"{r['recommendation_code']} (до {r['due_date_ru']}): {r['text_ru']} Основание: {r['basis_ru']}"
                    for r in finding["recommendations"])


def docx_context(context: dict) -> dict:
    """The Word version's context: the table's numbers already formatted, the plan never empty."""
    plan = [{**r, "finding_ru": f"№ {r['finding_no']}" if r.get("finding_no") else "—"}
            for r in context["recommendations"]]
    plan = plan or [{"recommendation_code": "—", "finding_ru": "—", "due_date_ru": context["due_date_ru"]}]
    findings = [{**f, "answer_ru": _answer_ru(f)} for f in context["findings"]]
    factors = [{**f, "evidence_ru": sentence(f["evidence_ru"]),
                "state_ru": "в зоне риска" if f["at_risk"] else "нет данных" if f["at_risk"] is None
                else "не в зоне риска"} for f in context["factors"]]
    heads = [{**h, "score_ru": "—" if h["score"] is None else cell(h["score"]),
              "deficit_ru": "дефицит" if h["deficit"] else "нет данных" if h["score"] is None else "нет"}
             for h in context["heads"]]
    return {**context, "indicators": context["appendix"], "plan_rows": plan, "finding_rows": findings,
            "factor_rows": factors, "head_rows": heads, "status_line_ru": status_line(context)}


def status_line(context: dict) -> str:
    """The summary's statuses in one sentence (the Word version; the HTML template words it the same)."""
    status = context["status"]
    named = [text for key, text in STATUS_SUMMARY_RU.items() if status.get(key)] or ["особых статусов нет"]
    score = status.get("head_effectiveness_score")
    head = (f"интегральная оценка эффективности руководителя — {cell(score)} из 100" if score is not None else
            "интегральная оценка эффективности руководителя не рассчитана: мало направлений с данными")
    return (f"Статусы по итогам анализа: {'; '.join(named)}; {head}. Выводов — {len(context['findings'])}, "
            f"рекомендаций — {len(context['recommendations'])}.")


def school_document(context: dict, out_dir: Path, formats: tuple[str, ...]) -> writer.Document:
    school = context["school"]
    return writer.Document(
        kind="school_recommendations", unit_code=school["school_code"], template="school_recommendations.html.j2",
        context=context, formats=formats, docx_template=SCHOOL_TEMPLATE,
        docx_context=docx_context(context) if "docx" in formats else None,
        stem=paths.internal_folder(out_dir, context["year"], school["municipality_code"])
        / f"{paths.part(school['school_code'])}_рекомендации", root=paths.year_root(out_dir, context["year"]))


def render_schools(engine: Engine, year: int, out_dir: Path, issued_on: date,
                   formats: tuple[str, ...] = ("html", "pdf", "docx"), workers: int | None = None,
                   only_municipality: str | None = None, then: Iterable[writer.Document] = (),
                   refs: References | None = None) -> int:
    """The schools' documents, then `then`: other documents (a municipality's reports) written in the same pool
    of processes. `then` may be lazy: its documents are made here while the pool writes the schools."""
    contexts = school_contexts(engine, year, issued_on, only_municipality, refs)
    documents = (school_document(c, out_dir, formats) for c in contexts)
    records, others = [], 0
    for i, written in enumerate(writer.write_many(chain(documents, then), workers)):
        records += written
        if i < len(contexts):
            failpoint("documents.school")
        else:
            others += 1
    writer.record(engine, year, records)
    log.info("wrote %d files for %d schools and %d other documents", len(records), len(contexts), others)
    return len(records)
