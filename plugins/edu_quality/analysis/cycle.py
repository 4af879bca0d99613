"""Completeness of the management cycle per municipality (Kirov region's mechanisms; the Ishimbay order's
technology map): for each mechanism of quality management, which steps of the cycle the data shows done.

Steps: 1 goals set (a target of the year for an indicator of the mechanism, for the municipality or the
region: include/goals/targets.yaml); 2 indicators computed (a municipal value of one of its indicators);
3 monitoring data received (every school of the municipality has a value of one of them); 4 analysis (the
analysis' verdict the mechanism names exists for a school of the municipality); 5 recommendations sent
(computed in mart.management_cycle from the year's recommendations, chosen after the analysis); 6 measures
recorded (measures.* of the year on a recommendation whose target indicator is of the mechanism); 7 their
effect analysed (the difference in differences for such a recommendation).
"""
from __future__ import annotations

import pandas as pd

from .data import YearData
from .tables import columns

STEPS = ("goals_set", "indicators_computed", "monitoring_received", "analysis_done", "measures_recorded",
         "effect_analysed")
STEP_NAMES_RU = {"goals_set": "цели", "indicators_computed": "показатели", "monitoring_received": "мониторинг",
                 "analysis_done": "анализ", "measures_recorded": "меры", "effect_analysed": "анализ эффективности"}


def _analysed_schools(marker: str, status, risk, heads, verdicts) -> set:
    """The schools the analysis the mechanism names has a result for."""
    if marker == "results":
        return set(status.index[status["results_score"].notna()])
    if marker == "low_results":
        return set(status.index[status["low_results"].notna()])
    if marker == "objectivity":
        return set(verdicts["school_code"]) if len(verdicts) else set()
    if marker == "heads":
        return set(heads.loc[heads["score"].notna(), "school_code"])
    table, column = (risk, "risk_factor_code") if marker.startswith("RF") else (heads, "direction_code")
    value = "at_risk" if marker.startswith("RF") else "score"
    return set(table.loc[(table[column] == marker) & table[value].notna(), "school_code"])


def management_cycle(data: YearData, s: dict, frames: dict, targets: pd.DataFrame, measures: pd.DataFrame,
                     rec_targets: dict[str, str]) -> pd.DataFrame:
    """core.management_cycle: municipality × mechanism, the steps 1–4, 6, 7 and what shows them."""
    status = frames["core.school_status"].set_index("school_code")
    risk, heads = frames["core.school_risk_factor"], frames["core.head_effectiveness"]
    verdicts, effects = frames["core.objectivity_verdict"], frames["core.measure_effect"]
    direction = data.catalogue["direction_code"]
    iv = data.indicators[data.indicators["year"] == data.year]
    munis = data.schools["municipality_code"]
    rows = []
    # Each mechanism's data is sorted out once, then looked up per municipality (a scan of the year's indicators
    # per municipality was most of a country's analysis).
    schools_of = {m: idx for m, idx in munis.groupby(munis).groups.items()}
    for mech in s["management_cycle"]["mechanisms"]:
        codes = set(direction[direction.isin(mech["directions"])].index)
        recs = {r for r, ind in rec_targets.items() if ind in codes}
        mine = iv[iv["indicator_code"].isin(codes) & iv["value"].notna()]
        municipal_values = set(mine.loc[mine["level"] == "municipality", "unit_code"])
        school_values = set(mine.loc[mine["level"] == "school", "unit_code"])
        analysed = _analysed_schools(mech["analysis"], status, risk, heads, verdicts)
        measured_by_unit = measures[measures["recommendation_code"].isin(recs)].groupby("unit_code")[
            "recommendation_code"].agg(set).to_dict() if len(measures) else {}
        effect_recs = set(effects["recommendation_code"]) if len(effects) else set()
        for m in sorted(munis.unique()):
            schools = schools_of[m]
            goal = targets[targets["indicator_code"].isin(codes) & (
                (targets["level"] == "region") | (targets["unit_code"] == m))] if len(targets) else targets
            measured = set().union(*(measured_by_unit.get(u, set()) for u in [*schools, m]))
            steps = dict(
                goals_set=len(goal) > 0,
                indicators_computed=m in municipal_values,
                monitoring_received=len(schools) > 0 and set(schools) <= school_values,
                analysis_done=not analysed.isdisjoint(schools),
                measures_recorded=len(measured) > 0,
                effect_analysed=not effect_recs.isdisjoint(measured))
            done = [STEP_NAMES_RU[k] for k, v in steps.items() if v]
            rows.append(dict(municipality_code=m, mechanism_code=mech["code"], mechanism_name_ru=mech["name_ru"],
                             **steps, indicator_codes=sorted(codes), recommendation_codes=sorted(recs),
                             evidence_ru=("по данным выполнено: " + ", ".join(done)) if done else
                             "по данным не выполнен ни один шаг"))
    return pd.DataFrame(rows, columns=columns("core.management_cycle"))
