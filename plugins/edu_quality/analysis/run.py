"""analyse_year(engine, year): recompute the whole analysis of a year from the loaded sources and the
indicator values (run it after the indicators), into the core tables of migration 005, read through the
mart views. Idempotent: every table's rows of the year are deleted and inserted again in one transaction.
"""
from __future__ import annotations

import json
import logging
import time

import pandas as pd
from sqlalchemy import text
from sqlalchemy.engine import Engine

from edu_quality.faults import failpoint

from . import clusters, objectivity, results
from .cycle import management_cycle
from .data import load_year
from .expertise import apply_expertise, expertise, municipal_risk
from .head_effectiveness import head_effectiveness, objectivity_score
from .measure_effects import effects, targets
from .metrics import compute_analysis_inputs
from .municipalities import municipalities, select_for_review
from .practices import practices
from .risk_profile import risk_profile
from .settings import load_settings, settings_sha256
from .store import replace_year
from .tables import COLUMNS, TABLES, columns
from .targets import load_targets, target_results

log = logging.getLogger(__name__)


def _school_status(data, sv, low, unf, ctx_z, risk, head_total) -> pd.DataFrame:
    sch = data.schools
    st = pd.DataFrame(index=sch.index)
    st["municipality_code"] = sch["municipality_code"]
    st["school_name"] = sch["school_name"]
    st = st.join(low).join(unf)
    st = st.join(sv[["biased_results_suspected", "biased_kinds", "biased_evidence_ru"]])
    st["biased_results_suspected"] = st["biased_results_suspected"].fillna(False).astype(bool)
    st["biased_kinds"] = st["biased_kinds"].apply(lambda v: v if isinstance(v, list) else [])
    st["biased_evidence_ru"] = st["biased_evidence_ru"].fillna("нет данных ВПР для оценки объективности")
    st["context_residual_z"] = ctx_z.reindex(st.index)
    st["head_effectiveness_score"] = head_total.reindex(st.index)
    counts = risk.groupby("school_code")["at_risk"].agg(
        at_risk=lambda x: int((x == True).sum()), no_data=lambda x: int(x.isna().sum()))  # noqa: E712
    st["risk_factors_at_risk"] = counts["at_risk"].reindex(st.index).fillna(0).astype(int)
    st["risk_factors_no_data"] = counts["no_data"].reindex(st.index).fillna(0).astype(int)
    return st


def _school_results(data, s: dict) -> tuple:
    """Objectivity, results, conditions, risk profile, heads, practices and clusters of the year's schools."""
    sig = objectivity.signals(data, s)
    ver = objectivity.verdicts(sig, data, s)
    sv = objectivity.school_verdict(ver, s) if len(ver) else pd.DataFrame(
        columns=["biased_kinds", "kinds_assessed", "biased_results_suspected", "biased_evidence_ru"])
    low = results.low_results(data, s)
    unf = results.unfavorable(data, s)
    data.analysis["results_score"] = low["results_score"].dropna()
    ctx_z = results.context_residual(data, low["results_score"])
    if len(sv):
        data.analysis["objectivity_score"] = objectivity_score(
            sv["biased_kinds"].map(len), sv["kinds_assessed"]).dropna()
    risk = risk_profile(data, s)
    heads, head_total = head_effectiveness(data, s)
    status = _school_status(data, sv, low, unf, ctx_z, risk, head_total)

    pr = practices(data, s, status)
    status["successful_practice"] = status.index.isin(pr["school_code"])
    per_school, school_centres = clusters.school_clusters(data.schools, low["results_score"], s)
    status["cluster"] = per_school["cluster"] if per_school is not None else None
    status["cluster_name_ru"] = per_school["cluster_name_ru"] if per_school is not None else None
    return sig, ver, status, risk, heads, pr, school_centres


def _cycle(data, s: dict, frames: dict, ms: pd.DataFrame, conditions, goals: list[dict] | None) -> pd.DataFrame:
    """The municipal part of the management cycle: expertise, municipal risk profile, goals, completeness."""
    exp, _ = expertise(data.monitoring, ms["score"], lambda score: select_for_review(score, s))
    frames["core.municipality_expertise"] = exp
    frames["core.municipality_risk_factor"] = municipal_risk(
        frames["core.school_status"].set_index("school_code"), frames["core.school_risk_factor"],
        frames["core.head_effectiveness"], s)
    frames["core.target_result"] = target_results(data, load_targets() if goals is None else goals, s,
                                                  frames["core.measure_effect"])
    frames["core.management_cycle"] = management_cycle(data, s, frames, frames["core.target_result"], data.measures,
                                                       targets(s, conditions))
    return apply_expertise(ms, exp)


def _compute(conn, data, year: int, s: dict, conditions, goals=None) -> tuple[dict[str, pd.DataFrame], pd.DataFrame,
                                                                            int, int]:
    """The year's output tables (table → frame), the municipalities' frame and the numbers of clusters."""
    compute_analysis_inputs(data, float(s["head_effectiveness"]["assessment_valid_years"]))
    sig, ver, status, risk, heads, pr, school_centres = _school_results(data, s)
    ms, gaps, corr, (ftable, fpol, fnames) = municipalities(data, s, status)
    per_m, m_centres = clusters.municipality_clusters(ftable, fpol, fnames, s)
    ms["cluster"] = per_m["cluster"].reindex(ms.index) if per_m is not None else None
    ms["cluster_name_ru"] = per_m["cluster_name_ru"].reindex(ms.index) if per_m is not None else None
    eff = effects(conn, year, s, conditions)

    centres = pd.concat([f for f in (school_centres, m_centres) if len(f)], ignore_index=True) \
        if len(school_centres) or len(m_centres) else pd.DataFrame(columns=columns("core.analysis_cluster"))
    frames = {"core.objectivity_signal": sig, "core.objectivity_verdict": ver,
              "core.school_status": status.reset_index(), "core.school_risk_factor": risk,
              "core.head_effectiveness": heads, "core.successful_practice": pr, "core.analysis_cluster": centres,
              "core.municipality_status": ms.reset_index(), "core.municipality_indicator": gaps,
              "core.municipality_correlation": corr, "core.measure_effect": eff}
    ms = _cycle(data, s, frames, ms, conditions, goals)
    frames["core.municipality_status"] = ms.reset_index()
    return frames, ms, len(school_centres), len(m_centres)


def _store(conn, year: int, frames: dict[str, pd.DataFrame]) -> None:
    for table in COLUMNS:
        replace_year(conn, table, year, frames[table], columns(table))
        if table == "core.school_status":
            failpoint("analysis.stored")


def _summary(data, year: int, frames: dict[str, pd.DataFrame], ms: pd.DataFrame, school_clusters: int,
             municipality_clusters: int) -> dict:
    sig, status = frames["core.objectivity_signal"], frames["core.school_status"]
    risk = frames["core.school_risk_factor"]
    return {
        "year": year,
        "schools": int(len(data.schools)),
        "objectivity_signals": int(len(sig)),
        "objectivity_signals_flagged": int(sig["flagged"].sum()) if len(sig) else 0,
        "biased_results_suspected": int(status["biased_results_suspected"].sum()),
        "low_results": int(status["low_results"].fillna(False).astype(bool).sum()),
        "unfavorable_conditions": int(status["unfavorable_conditions"].fillna(False).astype(bool).sum()),
        "risk_factors_at_risk": int((risk["at_risk"] == True).sum()),  # noqa: E712
        "heads_scored": int(status["head_effectiveness_score"].notna().sum()),
        "successful_practices": int(len(frames["core.successful_practice"])),
        "school_clusters": int(school_clusters),
        "municipalities": int(len(ms)),
        "municipality_clusters": int(municipality_clusters),
        "expert_review": sorted(ms.index[ms["expert_review_selected"]].tolist()),
        "expert_review_basis": (frames["core.municipality_expertise"]["basis"].iloc[0]
                                if len(frames["core.municipality_expertise"]) else None),
        "targets": int(len(frames["core.target_result"])),
        "measure_effects": int(len(frames["core.measure_effect"])),
        "previous_year_loaded": bool(data.previous_loaded),
    }


def analyse_year(engine: Engine, year: int, settings: dict | None = None,
                 conditions: dict[str, dict] | None = None, goals: list[dict] | None = None) -> dict:
    """Recompute the year's analysis; returns summary counts. `conditions`: the recommendations catalogue's
    rule conditions (code → `when`), for the effect of last year's measures; `goals`: the targets
    (include/goals/targets.yaml when not given)."""
    started = time.perf_counter()
    s = settings or load_settings()
    with engine.begin() as conn:
        data = load_year(conn, year, s)
        if data.schools.empty:
            # Nothing loaded for the year: its old results (if any) go, nothing comes instead.
            for table in TABLES:
                conn.execute(text(f"delete from {table} where year = :y"), {"y": year})
            log.warning("analysis of %s: no schools in the year's reference, nothing to analyse", year)
            return {"year": year, "schools": 0, "seconds": round(time.perf_counter() - started, 2)}
        frames, ms, school_clusters, municipality_clusters = _compute(conn, data, year, s, conditions, goals)
        _store(conn, year, frames)
        summary = _summary(data, year, frames, ms, school_clusters, municipality_clusters)
        summary["seconds"] = round(time.perf_counter() - started, 2)
        conn.execute(text("delete from core.analysis_run where year = :y"), {"y": year})
        conn.execute(text("insert into core.analysis_run (year, settings_sha256, summary) "
                          "values (:y, :h, cast(:s as jsonb))"),
                     {"y": year, "h": settings_sha256(), "s": json.dumps(summary, ensure_ascii=False)})
    log.info("analysis of %s: %s", year, summary)
    return summary
