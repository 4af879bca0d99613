"""Reading what a year's analysis needs from the warehouse: a few aggregate queries (sql/analysis/*.sql)
and the indicator values, read by code — an indicator the catalogue lacks is simply absent (no data)."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import numpy as np
import pandas as pd
from sqlalchemy import text
from sqlalchemy.engine import Connection

from edu_quality.config import PATHS
from edu_quality.sources.contract import OLYMPIAD_STAGES, OLYMPIAD_STATUSES
from edu_quality.warehouse.frames import read_frame

from .names import ANALYSIS_SOURCES, rests_on_vpr

SQL_DIR = PATHS.sql / "analysis"
OLYMPIAD_PRIZES = OLYMPIAD_STATUSES[1:]   # призёр, победитель


@cache
def sql(name: str) -> str:
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def query(conn: Connection, name: str, **params) -> pd.DataFrame:
    return read_frame(conn, sql(name), **params)


def _numeric(frame: pd.DataFrame, columns) -> pd.DataFrame:
    for c in columns:
        if c in frame:
            frame[c] = pd.to_numeric(frame[c], errors="coerce").astype(float)
    return frame


@dataclass
class YearData:
    year: int
    schools: pd.DataFrame                      # index school_code
    vpr: pd.DataFrame                          # school × subject × grade
    vpr_previous: pd.DataFrame                 # the same for year − 1 (empty if not loaded)
    boundaries: pd.DataFrame                   # school × subject × grade windows
    oge: pd.DataFrame                          # school × subject (ОГЭ)
    gve: pd.DataFrame                          # school × subject (ГВЭ)
    ovz_specialists: pd.Series                 # school → count
    recommendations_covered: pd.DataFrame      # level, unit_code, recommendations, with_measure
    indicators: pd.DataFrame                   # all levels, years ≤ year (trend window)
    catalogue: pd.DataFrame                    # indicator_code → polarity, unit, name_ru
    previous_loaded: bool = False
    heads: pd.DataFrame = field(default_factory=pd.DataFrame)   # heads.*: school_code, result, assessed_on
    monitoring: pd.DataFrame = field(default_factory=pd.DataFrame)  # municipal_monitoring.* of the year
    measures: pd.DataFrame = field(default_factory=pd.DataFrame)    # measures.*: level, unit, recommendation
    tasks: pd.DataFrame = field(default_factory=pd.DataFrame)       # school × subject × grade × task points
    scores: pd.DataFrame = field(default_factory=pd.DataFrame)      # school × subject × grade × primary score
    oge_scores: pd.DataFrame = field(default_factory=pd.DataFrame)  # school × ОГЭ subject × primary score
    olympiads: pd.DataFrame = field(default_factory=pd.DataFrame)   # school × subject: school stage → next
    # Per-school values this layer computes (metrics.ANALYSIS_METRICS), filled as the run goes.
    analysis: dict[str, pd.Series] = field(default_factory=dict)

    def school_indicator(self, code: str, year: int | None = None, min_denominator: int = 0) -> pd.Series:
        """School values of one indicator (index school_code); missing code → an empty series.
        With min_denominator, a value whose denominator is smaller counts as missing."""
        y = self.year if year is None else year
        iv = self.indicators
        rows = iv[(iv["year"] == y) & (iv["level"] == "school") & (iv["indicator_code"] == code)]
        if min_denominator:
            rows = rows[rows["denominator"].isna() | (rows["denominator"] >= min_denominator)]
        return rows.set_index("unit_code")["value"].dropna()

    def school_counts(self, code: str, year: int | None = None) -> pd.DataFrame:
        """Numerator and denominator of one indicator per school (index school_code), where the value is a
        share of them (value = 100 × numerator / denominator, a count within its whole); else empty."""
        y = self.year if year is None else year
        iv = self.indicators
        rows = iv[(iv["year"] == y) & (iv["level"] == "school") & (iv["indicator_code"] == code)].dropna(
            subset=["value", "numerator", "denominator"])
        rows = rows[rows["denominator"] > 0]
        share = (np.isclose(rows["value"], 100 * rows["numerator"] / rows["denominator"])
                 & (rows["numerator"] >= 0) & (rows["numerator"] <= rows["denominator"]))
        if not len(rows) or not share.all() or self.indicator_unit(code) != "%":
            return pd.DataFrame(columns=["numerator", "denominator"])
        return rows.set_index("unit_code")[["numerator", "denominator"]]

    def level_indicator(self, code: str, level: str, year: int | None = None) -> pd.Series:
        y = self.year if year is None else year
        iv = self.indicators
        rows = iv[(iv["year"] == y) & (iv["level"] == level) & (iv["indicator_code"] == code)]
        return rows.set_index("unit_code")["value"].dropna()

    def polarity(self, code: str) -> str | None:
        return self.catalogue["polarity"].get(code)

    def built_on_vpr(self, code: str) -> bool:
        """Whether the indicator's sources include ВПР (its metadata's `source`, or the analysis's own)."""
        return rests_on_vpr(ANALYSIS_SOURCES.get(code) or self.catalogue["source"].get(code))

    def indicator_name(self, code: str) -> str:
        return self.catalogue["name_ru"].get(code, code)

    def indicator_unit(self, code: str) -> str:
        return self.catalogue["unit"].get(code, "")

    def has_indicator(self, code: str) -> bool:
        return code in self.catalogue.index


def load_year(conn: Connection, year: int, settings: dict) -> YearData:
    schools = query(conn, "schools", year=year).set_index("school_code")
    schools = _numeric(schools, ["students", "low_income_pct", "non_native_pct", "disability_pct"])
    schools["rural"] = (schools["locality"] == "сельская").astype(float)
    schools["log_students"] = np.log1p(schools["students"].clip(lower=0))

    counts = ["works", "marks_2", "marks_4_5", "with_journal", "lowered", "confirmed", "raised", "gap_2plus"]
    vpr = _numeric(query(conn, "vpr_groups", year=year), counts)
    vpr_previous = _numeric(query(conn, "vpr_groups", year=year - 1), counts)
    boundaries = _numeric(query(conn, "vpr_boundary_windows", year=year), ["at_boundary", "below", "above"])
    oge = _numeric(query(conn, "oge_subjects", year=year, form="ОГЭ"), ["results", "marks_2", "marks_4_5"])
    gve = _numeric(query(conn, "oge_subjects", year=year, form="ГВЭ"), ["results", "marks_2", "marks_4_5"])
    positions = list(settings["head_effectiveness"]["ovz_specialist_positions"])
    spec = query(conn, "ovz_specialists", year=year, positions=positions)
    ovz_specialists = (spec.set_index("school_code")["specialists"].astype(float) if len(spec)
                       else pd.Series(dtype=float))
    covered = _numeric(query(conn, "recommendations_covered", year=year),
                       ["recommendations", "with_measure", "planned_on_time"])

    trend = int(settings["successful_practices"]["trend_years"])
    years = list(range(year - max(trend, 2) + 1, year + 1))
    iv = _numeric(query(conn, "indicator_values", years=years), ["value", "numerator", "denominator"])
    catalogue = pd.DataFrame(conn.execute(text(
        "select indicator_code, polarity, unit, name_ru, source, direction_code from core.indicator")).fetchall(),
        columns=["indicator_code", "polarity", "unit", "name_ru", "source", "direction_code"]
    ).set_index("indicator_code")
    return YearData(year=year, schools=schools, vpr=vpr, vpr_previous=vpr_previous, boundaries=boundaries,
                    oge=oge, gve=gve, ovz_specialists=ovz_specialists, recommendations_covered=covered,
                    indicators=iv, catalogue=catalogue, previous_loaded=len(vpr_previous) > 0,
                    heads=_numeric(query(conn, "heads", year=year), ["competence_result"]).set_index("school_code"),
                    monitoring=_numeric(query(conn, "municipal_monitoring", year=year), ["value", "max_score"]),
                    measures=query(conn, "measures", year=year),
                    tasks=_numeric(query(conn, "vpr_task_success", year=year), ["works", "points", "max_points"]),
                    scores=_numeric(query(conn, "vpr_score_distribution", year=year), ["works"]),
                    oge_scores=_numeric(query(conn, "oge_score_distribution", year=year), ["works"]),
                    olympiads=_numeric(query(conn, "olympiad_next_stage", year=year, first_stage=OLYMPIAD_STAGES[0],
                                             next_stage=OLYMPIAD_STAGES[1], prize_statuses=list(OLYMPIAD_PRIZES)),
                                       ["first_prizes", "went_on", "next_prizes"]))
