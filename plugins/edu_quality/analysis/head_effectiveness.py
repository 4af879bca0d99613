"""Effectiveness of school heads across the nine directions of the heads' monitoring.

A metric scores 0–100: its percentile rank among the region's schools turned by polarity
(`score: percentile`), or the share itself (`score: value`). A direction scores the mean of its parts,
a part the mean of its metrics with data; a direction without data has no score. The head's score is
the mean of the directions with a score, given at least `min_directions` of them. A direction scoring
below `deficit_below` is a professional deficit, and drives the recommendations to the head.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from edu_quality import formatting as fmt
from edu_quality.indicators.catalog import indicator_metadata

from .data import YearData
from .metrics import school_metric
from .names import ANALYSIS_SOURCES, rests_on_vpr
from .stats import percentile_rank
from .tables import columns

# The objectivity direction's score from the number of agreeing kinds of objectivity signals.
OBJECTIVITY_SCORE = {0: 100.0, 1: 50.0}
OBJECTIVITY_SCORE_SUSPECTED = 0.0

COLUMNS = columns("core.head_effectiveness")


def objectivity_score(kinds_agreeing: pd.Series, kinds_assessed: pd.Series) -> pd.Series:
    score = kinds_agreeing.map(lambda n: OBJECTIVITY_SCORE.get(int(n), OBJECTIVITY_SCORE_SUSPECTED)).astype(float)
    return score.where(kinds_assessed > 0)


def _direction_row(school: str, d: dict, metric_scores: list, score, deficit_below: float) -> dict:
    """One school's direction: its score, whether it is a deficit, and what drives it (each metric's value and
    score); a direction without data says why (`no_data_ru` of the settings)."""
    texts = []
    for part, m, sc in metric_scores:
        v = m.values.get(school)
        label = f"{part}: " if part else ""
        if v is None or pd.isna(v):
            texts.append(f"{label}{m.name_ru} — нет данных")
        else:
            texts.append(f"{label}{m.name_ru} {fmt.value(v, m.unit)} → {fmt.num(sc.get(school), 0)} из 100")
    if d.get("note_ru"):
        texts.append(d["note_ru"])
    has = score is not None and not pd.isna(score)
    deficit = bool(score < deficit_below) if has else None
    if deficit:
        weakest = min(((sc.get(school), m.name_ru) for _, m, sc in metric_scores
                       if sc.get(school) is not None and not pd.isna(sc.get(school))), default=None)
        weakest_ru = f"; слабее всего — {weakest[1]}" if weakest and len(metric_scores) > 1 else ""
        below = f" — профессиональный дефицит (ниже {fmt.num(deficit_below, 0)}{weakest_ru})"
    else:
        below = ""
    if has:
        head = f"оценка {fmt.num(score, 0)} из 100{below}"
    else:
        head = f"нет данных: {d['no_data_ru']}" if d.get("no_data_ru") else "нет данных"
    return dict(school_code=school, direction_code=d["code"], direction_name_ru=d["name_ru"],
                score=float(score) if has else None, deficit=deficit, evidence_ru=f"{head}: " + "; ".join(texts))


def built_on_vpr(spec: dict, sources: dict[str, str]) -> bool:
    """Whether a direction's metric rests on ВПР: an indicator whose `source` names vpr, or an analysis metric
    built on it (names.ANALYSIS_SOURCES). `sources`: indicator code → its catalogue `source`."""
    return rests_on_vpr(ANALYSIS_SOURCES.get(spec["analysis"]) if "analysis" in spec
                        else sources.get(spec.get("indicator")))


def vpr_weight(cfg: dict, sources: dict[str, str] | None = None) -> float:
    """The share (%) of the heads' score that rests on ВПР when every metric has data: each direction with
    metrics weighs the same, each part of it the same, each metric of a part the same. `sources`: indicator
    code → its catalogue `source` (by default, the catalogue's metadata)."""
    if sources is None:
        sources = {code: meta.get("source", "") for code, meta in indicator_metadata().items()}
    weights = []
    for d in cfg["directions"]:
        specs = [m for m in d.get("metrics") or [] if cfg.get("use_vpr", True) or not built_on_vpr(m, sources)]
        if not specs:
            continue
        parts = list(dict.fromkeys(m.get("part", "") for m in specs))
        weights.append(sum(sum(built_on_vpr(m, sources) for m in specs if m.get("part", "") == p)
                           / sum(1 for m in specs if m.get("part", "") == p) for p in parts) / len(parts))
    return 100 * sum(weights) / len(weights) if weights else 0.0


def head_effectiveness(data: YearData, s: dict) -> tuple[pd.DataFrame, pd.Series]:
    cfg = s["head_effectiveness"]
    sources = {c: data.catalogue["source"].get(c, "") for c in data.catalogue.index}
    deficit_below = float(cfg["deficit_below"])
    rows = []
    scores = pd.DataFrame(index=data.schools.index)
    for d in cfg["directions"]:
        code, name = d["code"], d["name_ru"]
        specs = [m for m in d.get("metrics") or [] if cfg.get("use_vpr", True) or not built_on_vpr(m, sources)]
        if not specs:
            for school in data.schools.index:
                rows.append(dict(school_code=school, direction_code=code, direction_name_ru=name, score=None,
                                 deficit=None, evidence_ru="нет данных: " + (d.get("no_data_ru") or
                                                                               "метрики направления построены на ВПР, "
                                                                               "а ВПР в оценку не включены")))
            scores[code] = np.nan
            continue
        metric_scores = []   # (part, metric, raw values, scores)
        for spec in specs:
            m = school_metric(data, spec)
            if spec.get("score", "percentile") == "value":
                sc = m.values.clip(0, 100)
            else:
                sc = percentile_rank(m.values, higher_better=m.polarity != "lower_better")
            metric_scores.append((spec.get("part", ""), m, sc))
        parts = sorted({p for p, _, _ in metric_scores}, key=[p for p, _, _ in metric_scores].index)
        part_means = pd.DataFrame({p: pd.concat([sc.rename(m.code) for q, m, sc in metric_scores if q == p],
                                                axis=1).reindex(data.schools.index).mean(axis=1)
                                   for p in parts})
        direction = part_means.mean(axis=1, skipna=True)
        scores[code] = direction
        for school in data.schools.index:
            rows.append(_direction_row(school, d, metric_scores, direction.get(school), deficit_below))
    counted = scores.notna().sum(axis=1)
    total = scores.mean(axis=1, skipna=True).where(counted >= int(cfg["min_directions"]))
    return pd.DataFrame(rows, columns=COLUMNS), total
