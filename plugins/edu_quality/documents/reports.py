"""Documents for the municipal authority: the analytical report (аналитическая справка), the draft
order (проект распоряжения); the regional report, and the year's publication index.

Every number comes from `mart` (queries in sql/documents/<document>/); this module shapes the contexts,
documents/writer.py renders and writes the files.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy.engine import Engine

from edu_quality.documents import paths, queries, writer
from edu_quality.documents.docx_templates import ORDER_TEMPLATE
from edu_quality.formatting import date_ru
from edu_quality.recommendations.choose import risk_level
from edu_quality.recommendations.due import due_date

# Headline indicators of the report's tables and charts, in the order a methodologist reads them.
HEADLINE = ("vpr_share_mark_2", "vpr_share_marks_4_5", "vpr_share_mark_gap_2plus", "oge_share_mark_2",
            "oge_share_marks_4_5", "ege_share_below_min", "ege_rus_average_score", "oly_prizes_municipal_plus_per_100",
            "tch_share_cpd_3y", "tch_share_deficit_diagnosed", "cond_computers_per_pupil", "cond_pupils_per_teacher",
            # A region described by its own sources (Moscow's open data: include/sources/moscow_ege.yaml).
            "moscow_ege_share_220plus", "moscow_ege_share_160plus", "moscow_ege_graduates")
# The regional report's table: the first six headline indicators that have values in the year.
REGION_COLUMNS = 6
# The schools' ranking and distribution: the first of each list that has school values in the municipality.
RANKING_INDICATORS = ("vpr_share_marks_4_5", "moscow_ege_share_220plus")
DISTRIBUTION_INDICATORS = ("vpr_share_mark_2", "moscow_ege_share_160plus")
RANKING_INDICATOR, DISTRIBUTION_INDICATOR = RANKING_INDICATORS[0], DISTRIBUTION_INDICATORS[0]


def _num(v):
    return None if v is None else float(v)


def _municipality_data(conn, year: int, code: str) -> dict:
    """The municipal report's rows (the draft order is made from the same)."""
    def run(name: str, **params):
        return queries.run(conn, "municipal_report/" + name, year=year, municipality_code=code, **params)

    present = set(run("indicators_present", indicator_codes=[*RANKING_INDICATORS, *DISTRIBUTION_INDICATORS]).scalars())
    ranking = next((c for c in RANKING_INDICATORS if c in present), RANKING_INDICATOR)
    distribution = next((c for c in DISTRIBUTION_INDICATORS if c in present), DISTRIBUTION_INDICATOR)
    return {
        "municipality": run("municipality").mappings().one(),
        "headline": run("headline", indicator_codes=list(HEADLINE)).mappings().all(),
        "ranking": ranking, "distribution": distribution,
        "schools": run("schools", ranking_indicator=ranking, distribution_indicator=distribution).mappings().all(),
        "practices": run("practices").mappings().all(),
        "status": run("status").mappings().first(),
        "recommendations": run("recommendations").mappings().all(),
        "school_recommendations": run("school_recommendation_count").scalar_one(),
        "names": {r.indicator_code: (r.name_ru, r.unit) for r in queries.run(
            conn, "municipal_report/indicator_names", indicator_codes=[ranking, distribution])},
    }


def municipality_context(engine: Engine, year: int, code: str, issued_on: date) -> dict:
    with engine.connect() as conn:
        data = _municipality_data(conn, year, code)
    order = {c: i for i, c in enumerate(HEADLINE)}
    indicators = sorted(({**dict(h), "value": _num(h["value"]), "previous_value": _num(h["previous_value"]),
                          "change": _num(h["change"]), "region_value": _num(h["region_value"]),
                          "risk": risk_level(_num(h["value"]), h["polarity"], h["thresholds"])}
                         for h in data["headline"]), key=lambda h: order[h["indicator_code"]])
    schools = [dict(s) for s in data["schools"]]
    distribution = [float(s["distribution_value"]) for s in schools if s["distribution_value"] is not None]
    names, status = data["names"], data["status"]
    return {
        "year": year, "municipality": dict(data["municipality"]), "issued_on_ru": date_ru(issued_on),
        "review_due_ru": date_ru(due_date(issued_on, 1)), "indicators": indicators, "schools": schools,
        "ranking_name": names.get(data["ranking"], (data["ranking"], "%"))[0],
        "distribution_name": names.get(data["distribution"], (data["distribution"], "%"))[0],
        "histogram": histogram(distribution),
        "low_results": [s for s in schools if s["low_results"]],
        "unfavorable": [s for s in schools if s["unfavorable_conditions"]],
        "biased": [s for s in schools if s["biased_results_suspected"]],
        "practices": [dict(p) for p in data["practices"]], "status": dict(status) if status else None,
        "recommendations": [{**dict(r), "due_date_ru": date_ru(r["due_date"])} for r in data["recommendations"]],
        "school_recommendations": data["school_recommendations"],
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


def _report_formats(pdf: bool) -> tuple[str, ...]:
    return ("html", "pdf") if pdf else ("html",)


def render_municipality(engine: Engine, year: int, code: str, out_dir: Path, issued_on: date,
                        pdf: bool = True) -> int:
    """The analytical report (HTML, PDF) and the draft order (HTML, PDF and an editable DOCX)."""
    context = municipality_context(engine, year, code, issued_on)
    folder, code_part = paths.municipality_folder(out_dir, year, code), paths.part(code)
    documents = [
        writer.Document(kind="municipal_report", unit_code=code, template="municipal_report.html.j2",
                        context=context, stem=folder / f"{code_part}_аналитическая_справка",
                        formats=_report_formats(pdf), root=paths.year_root(out_dir, year)),
        writer.Document(kind="draft_order", unit_code=code, template="draft_order.html.j2", context=context,
                        stem=folder / f"{code_part}_проект_распоряжения", formats=_report_formats(pdf) + ("docx",),
                        root=paths.year_root(out_dir, year),
                        docx_template=ORDER_TEMPLATE),
    ]
    records = [r for d in documents for r in writer.write(d)]
    writer.record(engine, year, records)
    return len(records)


def _link(path: str, root: Path) -> str:
    """A link relative to the year's folder; a file elsewhere is never linked (the index is published)."""
    return Path(paths.inside(root, Path(path))).resolve().relative_to(root.resolve()).as_posix()


def _index_groups(docs: list, municipalities: dict, root: Path) -> tuple[dict, dict | None]:
    """The year's documents by municipality (its report and order, then its schools), and the region's."""
    groups: dict[str, dict] = {}
    region = None
    for d in docs:
        if d["kind"] == "regional_report":
            region = region or {"links": []}
            region["links"].append({"format": d["format"].upper(),
                                    "href": Path(d["path"]).resolve().relative_to(root.resolve()).as_posix()})
            continue
        g = groups.setdefault(d["municipality_code"] or "", {"name": municipalities.get(d["municipality_code"], ""),
                                                             "reports": {}, "schools": {}})
        target = g["reports"] if d["kind"] in ("municipal_report", "draft_order") else g["schools"]
        key = d["kind"] if target is g["reports"] else d["unit_code"]
        target.setdefault(key, {"name": d["name"], "kind": d["kind"], "links": []})["links"].append(
            {"format": d["format"].upper(), "href": _link(d["path"], root)})
    return dict(sorted(groups.items())), region


def write_publication_index(engine: Engine, year: int, out_dir: Path) -> Path:
    """`<out>/<year>/index.html`: every document of the year by municipality and school, with the
    data-quality summary of the run, ready to copy to a website (links are relative)."""
    root = out_dir / str(year)
    with engine.connect() as conn:
        docs = queries.run(conn, "publication_index/documents", year=year).mappings().all()
        municipalities = dict(queries.run(conn, "publication_index/municipalities", year=year).all())
        quality = queries.run(conn, "publication_index/load_quality", year=year).mappings().all()
    groups, region = _index_groups(docs, municipalities, root)
    # Not recorded in core.document: the index is made from those records.
    writer.write(writer.Document(
        kind="publication_index", unit_code="region", template="publication_index.html.j2", formats=("html",),
        context={"year": year, "groups": groups, "quality": [dict(q) for q in quality], "region": region},
        stem=root / "index", root=root))
    return root / "index.html"


def region_context(engine: Engine, year: int, issued_on: date) -> dict:
    with engine.connect() as conn:
        def rows(name: str, **params) -> list[dict]:
            return [dict(r) for r in queries.run(conn, "regional_report/" + name, year=year, **params).mappings()]

        municipalities = rows("municipalities")
        headline = {(r["unit_code"], r["indicator_code"]): _num(r["value"])
                    for r in rows("headline", indicator_codes=list(HEADLINE))}
        names = dict(queries.run(conn, "regional_report/indicator_names",
                                 indicator_codes=list(HEADLINE)).all())
        clusters, effects, practices = rows("clusters"), rows("measure_effects"), rows("practices")
        totals = rows("totals")[0]
        data_scope = {"coverage": rows("coverage"), "school_match": rows("school_match")}
    with_values = {c for (_, c), v in headline.items() if v is not None}
    codes = [c for c in HEADLINE if c in names and c in with_values][:REGION_COLUMNS]
    table = [{"code": m["municipality_code"], "name": m["municipality_name"], "rank": m["rank"],
              "selected": m["expert_review_selected"],
              "cells": [headline.get((m["municipality_code"], c)) for c in codes]}
             for m in municipalities]
    return {"year": year, "issued_on_ru": date_ru(issued_on), "municipalities": municipalities, "table": table,
            "columns": [names[c] for c in codes], "region_values": [headline.get(("region", c)) for c in codes],
            "selected": [m for m in municipalities if m["expert_review_selected"]], "clusters": clusters,
            "effects": effects, "practices": practices, "totals": totals, **data_scope}


def render_region(engine: Engine, year: int, out_dir: Path, issued_on: date, pdf: bool = True) -> int:
    records = writer.write(writer.Document(
        kind="regional_report", unit_code="region", template="regional_report.html.j2",
        context=region_context(engine, year, issued_on), formats=_report_formats(pdf),
        stem=paths.year_root(out_dir, year) / "региональный_аналитический_отчёт",
        root=paths.year_root(out_dir, year)))
    writer.record(engine, year, records)
    return len(records)
