"""Documents for the municipal authority: the analytical report (аналитическая справка), the draft
order (проект распоряжения), and the year's publication index. Every number comes from `mart`."""
from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine

from edu_quality.recommendations.choose import risk_level
from edu_quality.recommendations.due import add_months
from edu_quality.documents.render import _atomic_write, _write
from edu_quality.documents.templating import environment
from edu_quality.formatting import date_ru

# Headline indicators of the report's tables and charts, in the order a methodologist reads them.
HEADLINE = ("vpr_share_mark_2", "vpr_share_marks_4_5", "vpr_share_mark_gap_2plus", "oge_share_mark_2",
            "oge_share_marks_4_5", "ege_share_below_min", "ege_rus_average_score", "oly_prizes_municipal_plus_per_100",
            "tch_share_cpd_3y", "tch_share_deficit_diagnosed", "cond_computers_per_pupil", "cond_pupils_per_teacher")
RANKING_INDICATOR = "vpr_share_marks_4_5"
DISTRIBUTION_INDICATOR = "vpr_share_mark_2"


def _num(v):
    return None if v is None else float(v)


def municipality_context(engine: Engine, year: int, code: str, issued_on: date) -> dict:
    with engine.connect() as conn:
        mo = conn.execute(text("select municipality_code, municipality_name from core.municipality "
                               "where year = :y and municipality_code = :m"), {"y": year, "m": code}).mappings().one()
        headline = conn.execute(text(
            "select v.indicator_code, v.name_ru, v.unit, v.polarity, v.value, v.previous_value, v.change, "
            "r.value as region_value, c.thresholds from mart.indicator_values v "
            "join core.indicator c using (indicator_code) "
            "left join mart.indicator_values r on r.year = v.year and r.level = 'region' "
            " and r.indicator_code = v.indicator_code "
            "where v.year = :y and v.level = 'municipality' and v.unit_code = :m and v.indicator_code = any(:codes)"),
            {"y": year, "m": code, "codes": list(HEADLINE)}).mappings().all()
        schools = conn.execute(text(
            "select s.school_code, s.school_name, s.locality, s.students, v.value as ranking_value, "
            "d.value as distribution_value, st.low_results, st.unfavorable_conditions, st.biased_results_suspected, "
            "st.low_results_evidence_ru, st.biased_evidence_ru, st.unfavorable_evidence_ru, st.cluster_name_ru, "
            "st.head_effectiveness_score "
            "from core.school s "
            "left join mart.indicator_values v on v.year = s.year and v.level = 'school' and v.unit_code = s.school_code "
            " and v.indicator_code = :rank "
            "left join mart.indicator_values d on d.year = s.year and d.level = 'school' and d.unit_code = s.school_code "
            " and d.indicator_code = :dist "
            "left join mart.school_status st on st.year = s.year and st.school_code = s.school_code "
            "where s.year = :y and s.municipality_code = :m order by v.value desc nulls last, s.school_code"),
            {"y": year, "m": code, "rank": RANKING_INDICATOR, "dist": DISTRIBUTION_INDICATOR}).mappings().all()
        practices = conn.execute(text(
            "select p.school_code, s.school_name, p.practice_name_ru, p.evidence_ru from mart.successful_practices p "
            "join core.school s on s.year = p.year and s.school_code = p.school_code "
            "where p.year = :y and p.municipality_code = :m order by p.school_code, p.practice_code"),
            {"y": year, "m": code}).mappings().all()
        status = conn.execute(text("select * from mart.municipality_status where year = :y and municipality_code = :m"),
                              {"y": year, "m": code}).mappings().first()
        recommendations = conn.execute(text(
            "select recommendation_code, text_ru, basis_ru, due_date from mart.recommendations "
            "where year = :y and level = 'municipality' and unit_code = :m order by recommendation_code"),
            {"y": year, "m": code}).mappings().all()
        school_recs = conn.execute(text(
            "select count(*) from mart.recommendations r join core.school s on s.year = r.year "
            "and s.school_code = r.unit_code where r.year = :y and r.level = 'school' and s.municipality_code = :m"),
            {"y": year, "m": code}).scalar_one()
        names = {r.indicator_code: (r.name_ru, r.unit) for r in conn.execute(text(
            "select indicator_code, name_ru, unit from core.indicator where indicator_code = any(:c)"),
            {"c": [RANKING_INDICATOR, DISTRIBUTION_INDICATOR]})}
    order = {c: i for i, c in enumerate(HEADLINE)}
    indicators = sorted(({**dict(h), "value": _num(h["value"]), "previous_value": _num(h["previous_value"]),
                          "change": _num(h["change"]), "region_value": _num(h["region_value"]),
                          "risk": risk_level(_num(h["value"]), h["polarity"], h["thresholds"])}
                         for h in headline), key=lambda h: order[h["indicator_code"]])
    schools = [dict(s) for s in schools]
    distribution = [float(s["distribution_value"]) for s in schools if s["distribution_value"] is not None]
    return {
        "year": year, "municipality": dict(mo), "issued_on_ru": date_ru(issued_on),
        "review_due_ru": date_ru(add_months(issued_on, 1)), "indicators": indicators, "schools": schools,
        "ranking_name": names.get(RANKING_INDICATOR, (RANKING_INDICATOR, "%"))[0],
        "distribution_name": names.get(DISTRIBUTION_INDICATOR, (DISTRIBUTION_INDICATOR, "%"))[0],
        "histogram": histogram(distribution),
        "low_results": [s for s in schools if s["low_results"]],
        "unfavorable": [s for s in schools if s["unfavorable_conditions"]],
        "biased": [s for s in schools if s["biased_results_suspected"]],
        "practices": [dict(p) for p in practices], "status": dict(status) if status else None,
        "recommendations": [{**dict(r), "due_date_ru": date_ru(r["due_date"])} for r in recommendations],
        "school_recommendations": school_recs,
    }


def histogram(values: list[float], bins: tuple[float, ...] = (0, 5, 10, 15, 20, 30, 50, 100.0001)) -> list[dict]:
    counts = [0] * (len(bins) - 1)
    for v in values:
        for i in range(len(bins) - 1):
            if bins[i] <= v < bins[i + 1]:
                counts[i] += 1
                break
    top = max(counts) if counts and max(counts) else 1
    return [{"label": f"{bins[i]:g}–{min(bins[i + 1], 100):g}", "count": c, "width": round(300 * c / top, 1)}
            for i, c in enumerate(counts)]


def _render(template: str, context: dict, stem: Path, pdf: bool) -> list[tuple[str, str, str]]:
    """HTML (and PDF) of a report, written incrementally and atomically as the school documents are."""
    return _write((template, context, str(stem), ("html", "pdf") if pdf else ("html",)))


def _render_order_docx(context: dict, path: Path) -> tuple[str, str, str]:
    """The draft order as an editable Word document (docxtpl), from the report's context."""
    import io

    from docxtpl import DocxTemplate

    from edu_quality.config import PATHS
    from edu_quality.documents.docx_templates import ORDER_TEMPLATE

    doc = DocxTemplate(str(PATHS.templates / ORDER_TEMPLATE))
    doc.render(context, autoescape=True)
    buffer = io.BytesIO()
    doc.save(buffer)
    _atomic_write(path, buffer.getvalue())
    return "docx", str(path), hashlib.sha256(path.read_bytes()).hexdigest()


def render_municipality(engine: Engine, year: int, code: str, out_dir: Path, issued_on: date,
                        pdf: bool = True) -> int:
    context = municipality_context(engine, year, code, issued_on)
    folder = out_dir / str(year) / code
    records = [("municipal_report", *w) for w in _render("municipal_report.html.j2", context,
                                                          folder / f"{code}_аналитическая_справка", pdf)]
    records += [("draft_order", *w) for w in _render("draft_order.html.j2", context,
                                                      folder / f"{code}_проект_распоряжения", pdf)]
    records.append(("draft_order", *_render_order_docx(context, folder / f"{code}_проект_распоряжения.docx")))
    with engine.begin() as conn:
        conn.execute(text(
            "insert into core.document (year, kind, unit_code, format, path, sha256) values (:y, :k, :u, :f, :p, :h) "
            "on conflict (year, kind, unit_code, format) do update set path = excluded.path, sha256 = excluded.sha256, "
            "written_at = now()"), [{"y": year, "k": k, "u": code, "f": f, "p": p, "h": h} for k, f, p, h in records])
    return len(records)


def write_publication_index(engine: Engine, year: int, out_dir: Path) -> Path:
    """`<out>/<year>/index.html`: every document of the year by municipality and school, with the
    data-quality summary of the run, ready to copy to a website (links are relative)."""
    root = out_dir / str(year)
    with engine.connect() as conn:
        docs = conn.execute(text(
            "select d.kind, d.unit_code, d.format, d.path, coalesce(s.school_name, m.municipality_name) as name, "
            "coalesce(s.municipality_code, m.municipality_code) as municipality_code "
            "from core.document d left join core.school s on s.year = d.year and s.school_code = d.unit_code "
            "left join core.municipality m on m.year = d.year and m.municipality_code = d.unit_code "
            "where d.year = :y order by 6, d.kind <> 'municipal_report', d.kind <> 'draft_order', 2, 3"),
            {"y": year}).mappings().all()
        municipalities = dict(conn.execute(text(
            "select municipality_code, municipality_name from core.municipality where year = :y order by 1"),
            {"y": year}).all())
        quality = conn.execute(text(
            "select source, files_loaded as files, files_rejected as rejected, rows_read, rows_loaded, "
            "rows_quarantined from mart.load_quality where year = :y order by source"), {"y": year}).mappings().all()
    groups: dict[str, dict] = {}
    region = None
    for d in docs:
        if d["kind"] == "regional_report":
            path = Path(d["path"]).resolve()
            region = region or {"links": []}
            region["links"].append({"format": d["format"].upper(), "href": path.relative_to(root.resolve()).as_posix()})
            continue
        g = groups.setdefault(d["municipality_code"] or "", {"name": municipalities.get(d["municipality_code"], ""),
                                                             "reports": {}, "schools": {}})
        path = Path(d["path"]).resolve()
        relative = path.relative_to(root.resolve()).as_posix() if path.is_relative_to(root.resolve()) else str(path)
        target = g["reports"] if d["kind"] in ("municipal_report", "draft_order") else g["schools"]
        key = d["kind"] if target is g["reports"] else d["unit_code"]
        target.setdefault(key, {"name": d["name"], "kind": d["kind"], "links": []})["links"].append(
            {"format": d["format"].upper(), "href": relative})
    html = environment().get_template("publication_index.html.j2").render(
        year=year, groups=dict(sorted(groups.items())), quality=[dict(q) for q in quality], region=region)
    path = root / "index.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    _atomic_write(path, html.encode("utf-8"))
    return path


def region_context(engine: Engine, year: int, issued_on: date) -> dict:
    with engine.connect() as conn:
        municipalities = [dict(r) for r in conn.execute(text(
            "select * from mart.municipality_status where year = :y order by rank nulls last, municipality_code"),
            {"y": year}).mappings()]
        headline = {(r["unit_code"], r["indicator_code"]): _num(r["value"]) for r in conn.execute(text(
            "select unit_code, indicator_code, value from mart.indicator_values where year = :y "
            "and level in ('municipality', 'region') and indicator_code = any(:c)"),
            {"y": year, "c": list(HEADLINE[:6])}).mappings()}
        names = dict(conn.execute(text("select indicator_code, name_ru from core.indicator "
                                       "where indicator_code = any(:c)"), {"c": list(HEADLINE[:6])}).all())
        clusters = [dict(r) for r in conn.execute(text(
            "select level, cluster, name_ru, members from mart.clusters where year = :y order by level desc, cluster"),
            {"y": year}).mappings()]
        effects = [dict(r) for r in conn.execute(text(
            "select level, recommendation_code, indicator_code, treated_units, control_units, did, verdict_ru "
            "from mart.measure_effects where year = :y order by level, recommendation_code"), {"y": year}).mappings()]
        practices = [dict(r) for r in conn.execute(text(
            "select p.municipality_code, p.school_code, s.school_name, p.practice_name_ru, p.evidence_ru "
            "from mart.successful_practices p join core.school s on s.year = p.year and s.school_code = p.school_code "
            "where p.year = :y order by 1, 2"), {"y": year}).mappings()]
        totals = conn.execute(text(
            "select count(*) as schools, count(*) filter (where low_results) as low, "
            "count(*) filter (where unfavorable_conditions) as unfavorable, "
            "count(*) filter (where biased_results_suspected) as biased from mart.school_status where year = :y"),
            {"y": year}).mappings().one()
    codes = [c for c in HEADLINE[:6] if c in names]
    table = [{"code": m["municipality_code"], "name": m["municipality_name"], "rank": m["rank"],
              "selected": m["expert_review_selected"], "cells": [headline.get((m["municipality_code"], c)) for c in codes]}
             for m in municipalities]
    return {"year": year, "issued_on_ru": date_ru(issued_on), "municipalities": municipalities, "table": table,
            "columns": [names[c] for c in codes], "region_values": [headline.get(("region", c)) for c in codes],
            "selected": [m for m in municipalities if m["expert_review_selected"]], "clusters": clusters,
            "effects": effects, "practices": practices, "totals": dict(totals)}


def render_region(engine: Engine, year: int, out_dir: Path, issued_on: date, pdf: bool = True) -> int:
    records = [("regional_report", *w) for w in _render("regional_report.html.j2", region_context(engine, year, issued_on),
                                                         out_dir / str(year) / "региональный_аналитический_отчёт", pdf)]
    with engine.begin() as conn:
        conn.execute(text(
            "insert into core.document (year, kind, unit_code, format, path, sha256) values (:y, :k, 'region', :f, :p, :h) "
            "on conflict (year, kind, unit_code, format) do update set path = excluded.path, sha256 = excluded.sha256, "
            "written_at = now()"), [{"y": year, "k": k, "f": f, "p": p, "h": h} for k, f, p, h in records])
    return len(records)
