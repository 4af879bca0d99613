"""Successful practices: schools doing well against their context, and schools improving steadily.

P1 — high results in a difficult context: a school in unfavourable conditions or in the countryside,
     its results score at least `min_results_score` and above what its context predicts by at least
     `context_residual_z_min`, with no kind of objectivity signal agreeing (results we can trust).
P2 — steady improvement: the results score (a percentile rank, so relative to the region) rose every
     year over the last `trend_years` loaded years and by at least `trend_min_gain` in total, again
     with no objectivity kind agreeing.
"""
from __future__ import annotations

import pandas as pd

from edu_quality import formatting as fmt

from .data import YearData
from .results import procedure_scores, results_score
from .tables import columns

PRACTICES = {
    "P1": "Высокие результаты в сложном социальном контексте",
    "P2": "Устойчивый рост результатов",
}
COLUMNS = columns("core.successful_practice")


def score_history(data: YearData, s: dict) -> pd.DataFrame:
    """Results score of each school for each year of the trend window (columns: years)."""
    years = range(data.year - int(s["successful_practices"]["trend_years"]) + 1, data.year + 1)
    history = {}
    for y in years:
        scores, _ = procedure_scores(data, s, year=y)
        history[y] = results_score(scores) if len(scores) else pd.Series(dtype=float)
    return pd.DataFrame(history).reindex(data.schools.index)


def practices(data: YearData, s: dict, status: pd.DataFrame) -> pd.DataFrame:
    """`status` (index school_code): results_score, context_residual_z, unfavorable_conditions,
    biased_kinds."""
    cfg = s["successful_practices"]
    rows = []
    history = score_history(data, s)
    min_score, min_z = float(cfg["min_results_score"]), float(cfg["context_residual_z_min"])
    gain_min = float(cfg["trend_min_gain"])
    for school, r in status.iterrows():
        clean = len(r["biased_kinds"]) == 0
        rural = data.schools.at[school, "locality"] == "сельская"
        hard = bool(r["unfavorable_conditions"]) or rural
        score, z = r["results_score"], r["context_residual_z"]
        if clean and hard and not pd.isna(score) and not pd.isna(z) and score >= min_score and z >= min_z:
            where = "неблагоприятные социальные условия" if r["unfavorable_conditions"] else "сельская ОО"
            rows.append(dict(school_code=school, practice_code="P1", practice_name_ru=PRACTICES["P1"], evidence_ru=(
                f"{where}; сводный результат {fmt.num(score)} из 100 (порог {fmt.num(min_score, 0)}), выше ожидаемого "
                f"по контексту на {fmt.num(z)} σ (порог {fmt.num(min_z)} σ); сигналы необъективности не согласуются")))
        h = history.loc[school].dropna() if school in history.index else pd.Series(dtype=float)
        if clean and len(h) == history.shape[1] and len(h) >= 2:
            steps = h.diff().dropna()
            gain = float(h.iloc[-1] - h.iloc[0])
            if (steps > 0).all() and gain >= gain_min:
                path = " → ".join(f"{y}: {fmt.num(v)}" for y, v in h.items())
                rows.append(dict(school_code=school, practice_code="P2", practice_name_ru=PRACTICES["P2"],
                                 evidence_ru=(f"сводный результат рос каждый год ({path}), прирост {fmt.num(gain)} "
                                              f"при пороге {fmt.num(gain_min, 0)}; "
                                              "сигналы необъективности не согласуются")))
    return pd.DataFrame(rows, columns=COLUMNS)
