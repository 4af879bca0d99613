"""Per-school metrics by name, whatever their source: a catalogue indicator (core.indicator_value, read
by code), a context field of schools.* (core.school), or a value this layer computes itself.

A metric spec in settings.yaml names exactly one source: `{indicator: code}`, `{school: field}` or
`{analysis: code}`. A missing indicator or value is «нет данных», never zero.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from edu_quality import formatting as fmt

from .data import YearData
from .names import ANALYSIS_METRICS, SCHOOL_FIELDS
from .settings import metric_source


@dataclass(frozen=True)
class Metric:
    source: str
    code: str
    name_ru: str
    unit: str
    polarity: str | None
    values: pd.Series          # index school_code, no missing values

    @property
    def label(self) -> str:
        return self.code if self.source != "school" else f"school.{self.code}"


def school_metric(data: YearData, spec: dict, min_denominator: int = 0) -> Metric:
    source, code = metric_source(spec)
    if source == "indicator":
        values = data.school_indicator(code, min_denominator=min_denominator)
        values = values[values.index.isin(data.schools.index)]
        return Metric(source, code, fmt.lower_first(data.indicator_name(code)), data.indicator_unit(code),
                      data.polarity(code), values.astype(float))
    if source == "school":
        name, unit = SCHOOL_FIELDS[code]
        return Metric(source, code, name, unit, None, data.schools[code].dropna().astype(float))
    name, unit, polarity = ANALYSIS_METRICS[code]
    values = data.analysis.get(code, pd.Series(dtype=float))
    return Metric(source, code, name, unit, polarity, values.dropna().astype(float))


def assessment_recency(data: YearData, valid_years: float) -> pd.Series:
    """100 × (1 − years since the last competence assessment / years it stays valid), at 0 once it lapsed;
    a head with a heads.* row and no assessment date was never assessed: 0. Schools without a row: no data."""
    heads = data.heads
    if heads.empty:
        return pd.Series(dtype=float)
    end = pd.Timestamp(data.year, 12, 31)
    years = (end - pd.to_datetime(heads["assessed_on"])).dt.days / 365.25
    score = (100 * (1 - years / valid_years)).clip(0, 100).fillna(0.0)
    return score[score.index.isin(data.schools.index)].astype(float)


def compute_analysis_inputs(data: YearData, valid_years: float = 5) -> None:
    """The analysis metrics that come straight from the sources (the others are added as computed)."""
    sch = data.schools
    ovz_pupils = sch["students"] * sch["disability_pct"] / 100
    specialists = data.ovz_specialists.reindex(sch.index).fillna(0.0)
    per_100 = (specialists / ovz_pupils * 100).where(ovz_pupils >= 1)
    data.analysis["ovz_specialists_per_100"] = per_100.replace([np.inf, -np.inf], np.nan).dropna()
    gve = data.gve.groupby("school_code")[["results", "marks_2"]].sum()
    gve = gve[gve["results"] > 0]
    data.analysis["gve_share_2"] = (gve["marks_2"] / gve["results"] * 100).reindex(sch.index).dropna()
    rc = data.recommendations_covered
    rc = rc[(rc["level"] == "school") & (rc["recommendations"] > 0)].set_index("unit_code")
    data.analysis["recommendations_covered"] = (rc["with_measure"] / rc["recommendations"] * 100
                                                ).reindex(sch.index).dropna()
    data.analysis["plan_on_time"] = (rc["planned_on_time"] / rc["recommendations"] * 100).reindex(sch.index).dropna()
    data.analysis["assessment_recency"] = assessment_recency(data, valid_years)
