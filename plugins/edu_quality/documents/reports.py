"""Documents for the municipal authority: the analytical report (аналитическая справка), the draft
order (проект распоряжения); the regional report, and the year's publication index.

Every number comes from `mart` (queries in sql/documents/<document>/); this module shapes the contexts,
documents/writer.py renders and writes the files.
"""
from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from sqlalchemy.engine import Engine

from edu_quality.analysis.settings import load_settings
from edu_quality.documents import paths, queries, writer
from edu_quality.documents.cycle import cycle_rows
from edu_quality.documents.docx_templates import ORDER_TEMPLATE
from edu_quality.documents.findings import cite_documents, split_basis
from edu_quality.documents.order import order_context
from edu_quality.formatting import date_ru, quotes_ru
from edu_quality.recommendations.catalogue import load_rules
from edu_quality.recommendations.choose import risk_level
from edu_quality.recommendations.due import due_date

# Headline indicators of the report's tables and charts, in the order a methodologist reads them.
HEADLINE = ("vpr_share_mark_2", "vpr_share_marks_4_5", "vpr_share_mark_gap_2plus", "oge_share_mark_2",
            "oge_share_marks_4_5", "ege_share_below_min", "ege_rus_average_score", "oly_prizes_municipal_plus_per_100",
            "tch_share_cpd_3y", "tch_share_deficit_diagnosed", "cond_computers_per_pupil", "cond_pupils_per_teacher",
            # A region described by its own sources (Moscow's open data: include/sources/moscow_ege.yaml).
            "moscow_ege_share_220plus", "moscow_ege_share_160plus", "moscow_ege_graduates")
# The schools' positions against the region's distribution (quartiles, not ranks: ВПР is not for ratings); a
# column without values in the municipality is left out.
POSITION_INDICATORS = ("vpr_share_marks_4_5", "vpr_share_mark_2", "oge_share_marks_4_5", "oge_share_mark_2",
                       "moscow_ege_share_220plus", "moscow_ege_share_160plus")
# The schools' ranking and distribution: the first of each list that has school values in the municipality.
RANKING_INDICATORS = ("vpr_share_marks_4_5", "moscow_ege_share_220plus")
DISTRIBUTION_INDICATORS = ("vpr_share_mark_2", "moscow_ege_share_160plus")
RANKING_INDICATOR, DISTRIBUTION_INDICATOR = RANKING_INDICATORS[0], DISTRIBUTION_INDICATORS[0]
QUARTER_RU = ("в худшей четверти", "ниже медианы", "выше медианы", "в лучшей четверти")
VPR_NOTE_RU = ("Балл МО служит отбору для адресной помощи и углублённой экспертизы, а не оценке органа управления "
               "образованием, школ или учителей. Результаты ВПР — для анализа и совершенствования преподавания, не "
               "для рейтингов (письмо Рособрнадзора от 18.04.2025 № 02-86).")


def _num(v):
    return None if v is None else float(v)


def _quoted(row) -> dict:
    """A query's row, a school's name (as its source wrote it) with «» quotation marks."""
    row = dict(row)
    if row.get("school_name"):
        row["school_name"] = quotes_ru(row["school_name"])
    return row


def _municipality_data(conn, year: int, code: str) -> dict:
    """The municipal report's rows (the draft order and the internal annex are made from the same)."""
    def run(name: str, **params):
        return queries.run(conn, "municipal_report/" + name, year=year, municipality_code=code, **params)

    def rows(name: str, **params) -> list[dict]:
        return [_quoted(r) for r in run(name, **params).mappings()]

    present = set(run("indicators_present", indicator_codes=[*RANKING_INDICATORS, *DISTRIBUTION_INDICATORS]).scalars())
    ranking = next((c for c in RANKING_INDICATORS if c in present), RANKING_INDICATOR)
    distribution = next((c for c in DISTRIBUTION_INDICATORS if c in present), DISTRIBUTION_INDICATOR)
    return {
        "municipality": run("municipality").mappings().one(),
        "headline": run("headline", indicator_codes=list(HEADLINE)).mappings().all(),
        "ranking": ranking, "distribution": distribution,
        "schools": rows("schools", ranking_indicator=ranking, distribution_indicator=distribution),
        "practices": rows("practices"), "status": run("status").mappings().first(),
        "recommendations": rows("recommendations"),
        "school_recommendations": run("school_recommendation_count").scalar_one(),
        "names": {r.indicator_code: (r.name_ru, r.unit) for r in queries.run(
            conn, "municipal_report/indicator_names", indicator_codes=[distribution, *POSITION_INDICATORS])},
        "components": rows("components"), "head_deficits": rows("head_deficits"),
        "positions": rows("positions", indicator_codes=list(POSITION_INDICATORS)),
        "last_year": rows("last_year_measures"), "effects": rows("measure_effects"),
        "risk_factors": rows("risk_factors"),
        "cycle": cycle_rows(conn, "municipal_report", year=year, municipality_code=code),
    }


def _cited(recommendations: list[dict]) -> dict:
    """The municipal recommendations with their basis and, cited once by number, the regulation it names."""
    rows = [{**r, "due_date_ru": date_ru(r["due_date"]), "basis_short_ru": split_basis(r)[0]} for r in recommendations]
    return {"recommendations": rows, "documents": cite_documents(rows)}


def _position_rows(positions: list[dict], polarity: dict[str, str]) -> list[dict]:
    """One row per school: its quarter of the region's schools on each position indicator, best = «лучшая»."""
    by_school: dict[str, dict] = {}
    for p in positions:
        row = by_school.setdefault(p["school_code"], {"school_code": p["school_code"], "school_name": p["school_name"],
                                                      "cells": {}})
        if p["indicator_code"] is None or p["below"] is None:
            continue
        share = float(p["below"]) if polarity.get(p["indicator_code"]) != "lower_better" else 1 - float(p["below"])
        row["cells"][p["indicator_code"]] = QUARTER_RU[min(3, int(share * 4))]
    return list(by_school.values())


def _deficits_by_school(deficits: list[dict]) -> list[dict]:
    """The heads who need targeted help, by school, each with the directions of its deficits (code, name)."""
    by_school: dict[str, dict] = {}
    for d in deficits:
        by_school.setdefault(d["school_code"], {"school_code": d["school_code"], "school_name": d["school_name"],
                                                "directions": []})["directions"].append(
            {"code": d["direction_code"], "name": d["direction_name_ru"]})
    return list(by_school.values())


def _groups(schools: list[dict], data: dict) -> dict[str, list[dict]]:
    """The municipality's schools by what a municipal rule answers: a status, a head's deficit, a risk factor."""
    groups: dict[str, list[dict]] = {}
    for s in schools:
        for status in ("low_results", "unfavorable_conditions", "biased_results_suspected"):
            if s[status]:
                groups.setdefault(f"status:{status}", []).append(s)
    seen: set = set()
    for kind, key, items in (("status", "successful_practice", data["practices"]), ("head_direction", None,
                             data["head_deficits"]), ("risk_factor", None, data["risk_factors"])):
        for i in items:
            name = f"{kind}:{key or i.get('direction_code') or i.get('risk_factor_code')}"
            if (name, i["school_code"]) not in seen:
                seen.add((name, i["school_code"]))
                groups.setdefault(name, []).append(i)
    return groups


def municipality_context(engine: Engine, year: int, code: str, issued_on: date) -> dict:
    with engine.connect() as conn:
        data = _municipality_data(conn, year, code)
    order = {c: i for i, c in enumerate(HEADLINE)}
    indicators = sorted(({**dict(h), "value": _num(h["value"]), "previous_value": _num(h["previous_value"]),
                          "change": _num(h["change"]), "region_value": _num(h["region_value"]),
                          "risk": risk_level(_num(h["value"]), h["polarity"], h["thresholds"])}
                         for h in data["headline"]), key=lambda h: order[h["indicator_code"]])
    schools = sorted(data["schools"], key=lambda s: s["school_code"])
    distribution = [float(s["distribution_value"]) for s in schools if s["distribution_value"] is not None]
    names, status = data["names"], data["status"]
    polarity = {p["indicator_code"]: p["polarity"] for p in data["positions"] if p.get("polarity")}
    context = {
        "year": year, "municipality": dict(data["municipality"]), "issued_on_ru": date_ru(issued_on),
        "review_due_ru": date_ru(due_date(issued_on, 1)), "indicators": indicators, "schools": schools,
        "distribution_name": names.get(data["distribution"], (data["distribution"], "%"))[0],
        "histogram": histogram(distribution),
        "position_columns": [(c, names[c][0]) for c in POSITION_INDICATORS if c in names
                             and any(p["indicator_code"] == c for p in data["positions"])],
        "positions": _position_rows(data["positions"], polarity),
        "low_results": [s for s in schools if s["low_results"]],
        "unfavorable": [s for s in schools if s["unfavorable_conditions"]],
        "biased": [s for s in schools if s["biased_results_suspected"]],
        "practices": data["practices"], "status": dict(status) if status else None,
        "components": [{**c, "value": _num(c["value"]), "region_value": _num(c["region_value"]),
                        "rating_z": _num(c["rating_z"])} for c in data["components"]],
        "head_deficits": data["head_deficits"], "deficit_schools": _deficits_by_school(data["head_deficits"]),
        "last_year": data["last_year"], "effects": data["effects"], "vpr_note_ru": VPR_NOTE_RU,
        **_cited(data["recommendations"]),
        "school_recommendations": data["school_recommendations"], "cycle": data["cycle"],
    }
    rules = {r.code: r for r in load_rules()}
    return {**context, "order": order_context(context, issued_on, rules, _groups(schools, data))}


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


def municipality_documents(engine: Engine, year: int, code: str, out_dir: Path, issued_on: date,
                           pdf: bool = True) -> list[writer.Document]:
    """The analytical report (HTML, PDF; may be published), and in the internal folder the draft order (HTML,
    PDF and an editable DOCX) and the annex with what may not be published (per-school objectivity evidence,
    heads' deficits by name)."""
    context = municipality_context(engine, year, code, issued_on)
    root, code_part = paths.year_root(out_dir, year), paths.part(code)
    public, internal = paths.municipality_folder(out_dir, year, code), paths.internal_folder(out_dir, year, code)
    documents = [
        writer.Document(kind="municipal_report", unit_code=code, template="municipal_report.html.j2",
                        context=context, stem=public / f"{code_part}_аналитическая_справка",
                        formats=_report_formats(pdf), root=root),
        writer.Document(kind="municipal_annex", unit_code=code, template="municipal_annex.html.j2",
                        context=context, stem=internal / f"{code_part}_служебное_приложение",
                        formats=_report_formats(pdf), root=root),
        writer.Document(kind="draft_order", unit_code=code, template="draft_order.html.j2", context=context,
                        stem=internal / f"{code_part}_проект_распоряжения", formats=_report_formats(pdf) + ("docx",),
                        root=root, docx_template=ORDER_TEMPLATE),
    ]
    return documents


# What the public index may link: the reports. Draft orders, the internal annexes and the schools' documents
# (per-school objectivity evidence, heads' deficits) stay in the internal folder, listed by its own index.
PUBLIC_KINDS = ("municipal_report", "regional_report")
REPORT_KINDS = ("municipal_report", "draft_order", "municipal_annex")


def _link(path: str, root: Path, index_dir: Path) -> str:
    """A link relative to the index's folder; a file outside the year's folder is never linked."""
    return Path(os.path.relpath(Path(paths.inside(root, Path(path))).resolve(), index_dir.resolve())).as_posix()


def _index_groups(docs: list, municipalities: dict, root: Path, index_dir: Path) -> tuple[dict, dict | None]:
    """The documents by municipality (its reports, then its schools), and the region's."""
    groups: dict[str, dict] = {}
    region = None
    for d in docs:
        link = {"format": d["format"].upper(), "href": _link(d["path"], root, index_dir)}
        if d["kind"] == "regional_report":
            region = region or {"links": []}
            region["links"].append(link)
            continue
        g = groups.setdefault(d["municipality_code"] or "", {"name": municipalities.get(d["municipality_code"], ""),
                                                             "reports": {}, "schools": {}})
        target = g["reports"] if d["kind"] in REPORT_KINDS else g["schools"]
        key = d["kind"] if target is g["reports"] else d["unit_code"]
        target.setdefault(key, {"name": quotes_ru(d["name"] or ""), "kind": d["kind"], "links": []})["links"].append(
            link)
    return dict(sorted(groups.items())), region


def write_publication_index(engine: Engine, year: int, out_dir: Path) -> Path:
    """`<out>/<year>/index.html`: what may be published (the municipal and regional reports, the data-quality
    summary), ready to copy to a website (links are relative); and `<out>/<year>/служебное/index.html`: every
    document of the year, for the authority's staff."""
    root = paths.year_root(out_dir, year)
    internal = root / paths.INTERNAL
    with engine.connect() as conn:
        docs = queries.run(conn, "publication_index/documents", year=year).mappings().all()
        municipalities = dict(queries.run(conn, "publication_index/municipalities", year=year).all())
        quality = [dict(q) for q in queries.run(conn, "publication_index/load_quality", year=year).mappings()]
    for folder, shown, public in ((root, [d for d in docs if d["kind"] in PUBLIC_KINDS], True),
                                  (internal, docs, False)):
        groups, region = _index_groups(shown, municipalities, root, folder)
        # Not recorded in core.document: the index is made from those records.
        writer.write(writer.Document(
            kind="publication_index", unit_code="region", template="publication_index.html.j2", formats=("html",),
            context={"year": year, "groups": groups, "quality": quality, "region": region, "public": public},
            stem=folder / "index", root=root))
    return root / "index.html"


def _component_columns(components: list[dict], ranking: list[str]) -> list[dict]:
    """The score's indicators in the settings' order, numbered for the table's header, with their sources."""
    # A column only for an indicator some municipality has a value of (a region's data decides which).
    with_values = {c["indicator_code"] for c in components if c["value"] is not None}
    seen = {c["indicator_code"]: c for c in components if c["indicator_code"] in with_values}
    return [{"number": n, "code": code, "name_ru": seen[code]["name_ru"], "source": seen[code]["source"],
             "vpr": bool(seen[code]["vpr_based"]), "unit": seen[code]["unit"] or "",
             "region_value": _num(seen[code]["region_value"])}
            for n, code in enumerate((c for c in ranking if c in seen), 1)]


def region_context(engine: Engine, year: int, issued_on: date) -> dict:
    with engine.connect() as conn:
        def rows(name: str, **params) -> list[dict]:
            return [_quoted(r) for r in queries.run(conn, "regional_report/" + name, year=year, **params).mappings()]

        municipalities, components = rows("municipalities"), rows("components")
        clusters, effects, practices = rows("clusters"), rows("measure_effects"), rows("practices")
        totals = rows("totals")[0]
        cycle = cycle_rows(conn, "regional_report", year=year)
        data_scope = {"coverage": rows("coverage"), "school_match": rows("school_match")}
    settings = load_settings()["municipalities"]
    columns = _component_columns(components, list(settings["ranking_indicators"]))
    z = {(c["municipality_code"], c["indicator_code"]): (_num(c["rating_z"]), _num(c["value"])) for c in components}
    table = [{"code": m["municipality_code"], "name": m["municipality_name"], "rank": m["rank"],
              "score": _num(m["score"]), "vpr_share": _num(m["vpr_share"]), "selected": m["expert_review_selected"],
              "cells": [z.get((m["municipality_code"], c["code"]), (None, None)) for c in columns]}
             for m in municipalities]
    return {"year": year, "issued_on_ru": date_ru(issued_on), "municipalities": municipalities, "table": table,
            "columns": columns, "rule": settings["expert_review"], "use_vpr": settings.get("use_vpr", True),
            "vpr_note_ru": VPR_NOTE_RU,
            "selected": [m for m in municipalities if m["expert_review_selected"]], "clusters": clusters,
            "effects": effects, "practices": practices, "totals": totals, "cycle": cycle, **data_scope}


def render_region(engine: Engine, year: int, out_dir: Path, issued_on: date, pdf: bool = True) -> int:
    records = writer.write(writer.Document(
        kind="regional_report", unit_code="region", template="regional_report.html.j2",
        context=region_context(engine, year, issued_on), formats=_report_formats(pdf),
        stem=paths.year_root(out_dir, year) / "региональный_аналитический_отчёт",
        root=paths.year_root(out_dir, year)))
    writer.record(engine, year, records)
    return len(records)
