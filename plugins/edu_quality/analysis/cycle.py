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


def _analysed(marker: str, schools: pd.Index, status, risk, heads, verdicts) -> bool:
    if marker == "results":
        return bool(status.loc[status.index.isin(schools), "results_score"].notna().any())
    if marker == "low_results":
        return bool(status.loc[status.index.isin(schools), "low_results"].notna().any())
    if marker == "objectivity":
        return bool(len(verdicts) and verdicts["school_code"].isin(schools).any())
    if marker == "heads":
        return bool(heads[heads["school_code"].isin(schools)]["score"].notna().any())
    table, column = (risk, "risk_factor_code") if marker.startswith("RF") else (heads, "direction_code")
    value = "at_risk" if marker.startswith("RF") else "score"
    mine = table[(table[column] == marker) & table["school_code"].isin(schools)]
    return bool(mine[value].notna().any())


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
    for mech in s["management_cycle"]["mechanisms"]:
        codes = set(direction[direction.isin(mech["directions"])].index)
        recs = {r for r, ind in rec_targets.items() if ind in codes}
        for m in sorted(munis.unique()):
            schools = munis.index[munis == m]
            mine = iv[iv["indicator_code"].isin(codes)]
            goal = targets[targets["indicator_code"].isin(codes) & (
                (targets["level"] == "region") | (targets["unit_code"] == m))] if len(targets) else targets
            school_values = mine[(mine["level"] == "school") & mine["value"].notna()]
            units = set(schools) | {m}
            measured = measures[measures["unit_code"].isin(units) & measures["recommendation_code"].isin(recs)]
            effect = effects[effects["recommendation_code"].isin(set(measured["recommendation_code"]))] \
                if len(effects) else effects
            steps = dict(
                goals_set=len(goal) > 0,
                indicators_computed=bool(((mine["level"] == "municipality") & (mine["unit_code"] == m)
                                          & mine["value"].notna()).any()),
                monitoring_received=len(schools) > 0 and set(schools) <= set(school_values["unit_code"]),
                analysis_done=_analysed(mech["analysis"], schools, status, risk, heads, verdicts),
                measures_recorded=len(measured) > 0,
                effect_analysed=len(effect) > 0)
            done = [STEP_NAMES_RU[k] for k, v in steps.items() if v]
            rows.append(dict(municipality_code=m, mechanism_code=mech["code"], mechanism_name_ru=mech["name_ru"],
                             **steps, indicator_codes=sorted(codes), recommendation_codes=sorted(recs),
                             evidence_ru=("по данным выполнено: " + ", ".join(done)) if done else
                             "по данным не выполнен ни один шаг"))
    return pd.DataFrame(rows, columns=columns("core.management_cycle"))
