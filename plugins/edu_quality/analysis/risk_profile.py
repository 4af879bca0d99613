"""The risk profile of every school: the federal risk factors (settings.yaml, risk_profile.factors).

A metric is at risk past its threshold — strictly above it for `risk_when: high`, strictly below for
`low`; a percentile threshold is taken over the region's schools that have the value. A factor is at
risk when any of its metrics is; it has no verdict (null, «нет данных: …») when none of its metrics
has a value for the school, or when the sources cannot give it at all.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from edu_quality import formatting as fmt

from .data import YearData
from .metrics import Metric, school_metric
from .tables import columns

COLUMNS = columns("core.school_risk_factor")


def threshold(metric: Metric, spec: dict) -> tuple[float, str]:
    if "value" in spec:
        return float(spec["value"]), "установленный порог"
    p = float(spec["percentile"])
    if metric.values.empty:
        return np.nan, f"{fmt.num(p, 0)}-й процентиль региона"
    return float(np.percentile(metric.values.to_numpy(float), p)), f"{fmt.num(p, 0)}-й процентиль региона"


def risk_profile(data: YearData, s: dict) -> pd.DataFrame:
    rows = []
    for factor in s["risk_profile"]["factors"]:
        code, name = factor["code"], factor["name_ru"]
        if not factor.get("metrics"):
            for school in data.schools.index:
                rows.append(dict(school_code=school, risk_factor_code=code, risk_factor_name_ru=name, at_risk=None,
                                 evidence_ru=f"нет данных: {factor['no_data_ru']}", metric_code=None, value=None,
                                 threshold=None, region_median=None, unit=None))
            continue
        prepared = []
        for spec in factor["metrics"]:
            m = school_metric(data, spec)
            thr, how = threshold(m, spec)
            median = float(m.values.median()) if len(m.values) else np.nan
            prepared.append((spec, m, thr, how, median))
        note = factor.get("note_ru")
        for school in data.schools.index:
            texts, decisive, any_data, at_risk = [], None, False, False
            for spec, m, thr, how, median in prepared:
                v = m.values.get(school)
                if v is None or pd.isna(v):
                    texts.append(f"{m.name_ru} — нет данных")
                    continue
                any_data = True
                hit = bool(v > thr) if spec["risk_when"] == "high" else bool(v < thr)
                texts.append(f"{m.name_ru} — {fmt.value(v, m.unit)} при медиане региона {fmt.value(median, m.unit)} "
                             f"(порог {fmt.value(thr, m.unit)}, {how})" + (" — в зоне риска" if hit else ""))
                if hit and not at_risk:
                    at_risk, decisive = True, (m, v, thr, median)
                elif decisive is None:
                    decisive = (m, v, thr, median)
            if note:
                texts.append(note)
            if not any_data:
                rows.append(dict(school_code=school, risk_factor_code=code, risk_factor_name_ru=name, at_risk=None,
                                 evidence_ru="нет данных: " + "; ".join(texts), metric_code=None, value=None,
                                 threshold=None, region_median=None, unit=None))
                continue
            m, v, thr, median = decisive
            rows.append(dict(school_code=school, risk_factor_code=code, risk_factor_name_ru=name, at_risk=at_risk,
                             evidence_ru="; ".join(texts), metric_code=m.label, value=v, threshold=thr,
                             region_median=median, unit=m.unit))
    return pd.DataFrame(rows, columns=COLUMNS)
