"""Municipalities: rating on the motivating-monitoring indicators, the ones chosen for in-depth expert
review, their gaps to the region, and how their schools' indicators hang together compared with the
region's.

Rating: each indicator is standardised over the municipalities (z, turned by polarity so that higher is
better); the score is the mean z over the indicators the municipality has; rank 1 is the best.
Expert review: the municipalities with the lowest score, at most `count` and at most `max_share` % of
all (rounded down), at least one — as the Irkutsk regulation selects municipalities for the expertise
by the monitoring's results.
Correlations: for each pair of indicators, Pearson's r over the municipality's schools against the same
r over all the region's schools; a much weaker link inside a municipality (e.g. ВПР results that do not
follow ОГЭ results) points to where its assessment or its schools differ from the region's.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from edu_quality import formatting as fmt

from .data import YearData
from .names import ANALYSIS_INDICATORS, ANALYSIS_SOURCES  # noqa: F401 (ANALYSIS_SOURCES: read by the methodology page)
from .tables import columns


def analysis_indicators(data: YearData, status: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """Municipal values (index municipality_code) and region values of the an_* indicators."""
    st = status.join(data.schools[["locality"]])
    st["rural"] = (st["locality"] == "сельская").astype(float)

    def share(col: str, frame: pd.DataFrame) -> float:
        known = frame[col].dropna()
        return float(known.astype(bool).mean() * 100) if len(known) else np.nan

    rows, region = {}, {}
    for code, frame in list(st.groupby("municipality_code")) + [("region", st)]:
        values = {
            "an_share_low_result_schools": share("low_results", frame),
            "an_share_biased_schools": share("biased_results_suspected", frame),
            "an_mean_head_score": float(frame["head_effectiveness_score"].mean()),
            "an_rural_schools_share": float(frame["rural"].mean() * 100),
        }
        if code == "region":
            region = values
        else:
            rows[code] = values
    return pd.DataFrame.from_dict(rows, orient="index"), region


def indicator_table(data: YearData, codes: list[str], an_values: pd.DataFrame, an_region: dict
                    ) -> tuple[pd.DataFrame, dict, dict, dict]:
    """Municipal values (columns: codes with data), region values, polarity and names."""
    munis = sorted(data.schools["municipality_code"].unique())
    table, region, polarity, names = {}, {}, {}, {}
    for code in codes:
        if code in ANALYSIS_INDICATORS:
            name, pol, _ = ANALYSIS_INDICATORS[code]
            if code not in an_values:
                continue
            table[code] = an_values[code].reindex(munis)
            region[code] = an_region.get(code)
        else:
            pol, name = data.polarity(code), data.indicator_name(code)
            if pol is None:
                continue  # not in the catalogue: no data
            table[code] = data.level_indicator(code, "municipality").reindex(munis)
            reg = data.level_indicator(code, "region")
            region[code] = float(reg.iloc[0]) if len(reg) else np.nan
        polarity[code], names[code] = pol, name
    return pd.DataFrame(table, index=munis), region, polarity, names


def rating(table: pd.DataFrame, polarity: dict, leave_out: set[str] = frozenset()
           ) -> tuple[pd.Series, pd.DataFrame, list[str]]:
    """Score per municipality, the signed z per indicator (every one that can be standardised), and the
    indicators the score takes (those less `leave_out`: the ВПР-based ones when the settings say so)."""
    used, zs = [], {}
    for code in table.columns:
        pol = polarity.get(code)
        v = table[code].astype(float)
        if pol not in ("higher_better", "lower_better") or v.notna().sum() < 2 or v.std(ddof=0) == 0:
            continue
        z = (v - v.mean()) / v.std(ddof=0)
        zs[code] = z if pol == "higher_better" else -z
        if code not in leave_out:
            used.append(code)
    z = pd.DataFrame(zs, index=table.index)
    return z[used].mean(axis=1, skipna=True), z, used


def select_for_review(score: pd.Series, s: dict) -> set[str]:
    cfg = s["municipalities"]["expert_review"]
    known = score.dropna()
    if len(known) < 2:
        return set()
    n = max(1, min(int(cfg["count"]), math.floor(float(cfg["max_share"]) / 100 * len(known))))
    return set(known.sort_values(kind="stable").index[:n])


def correlations(data: YearData, s: dict) -> pd.DataFrame:
    cfg = s["municipalities"]["correlations"]
    min_schools, weaker = int(cfg["min_schools"]), float(cfg["weaker_by"])
    munis = data.schools["municipality_code"]
    rows = []
    for x, y in cfg["pairs"]:
        vx, vy = data.school_indicator(x), data.school_indicator(y)
        both = pd.DataFrame({"x": vx, "y": vy}).dropna()
        both = both[both.index.isin(munis.index)]
        r_region = float(both["x"].corr(both["y"])) if len(both) >= 3 else np.nan
        for m in sorted(munis.unique()):
            part = both[both.index.isin(munis.index[munis == m])]
            n = len(part)
            r = float(part["x"].corr(part["y"])) if n >= min_schools else np.nan
            if pd.isna(r) or pd.isna(r_region):
                flagged = False
                text = (f"недостаточно ОО ({n} при минимуме {min_schools})" if n < min_schools
                        else "корреляцию вычислить нельзя (нет разброса значений)")
            else:
                flagged = r <= r_region - weaker
                text = (f"r = {fmt.num(r, 2)} по {n} ОО МО при r = {fmt.num(r_region, 2)} по региону"
                        + (f" — связь заметно слабее региональной (на {fmt.num(r_region - r, 2)})" if flagged
                           else " — связь как в регионе"))
            rows.append(dict(municipality_code=m, indicator_x=x, indicator_y=y, schools=n, r_municipality=r,
                             r_region=r_region, gap=(r - r_region) if not pd.isna(r) else np.nan, flagged=flagged,
                             evidence_ru=text))
    return pd.DataFrame(rows, columns=columns("core.municipality_correlation"))


def _vpr_share(components: pd.Series, vpr: dict[str, bool]) -> float:
    """The share (%) of a municipality's score that comes from components built on ВПР (equal weights)."""
    known = components.dropna()
    return float(100 * sum(vpr[c] for c in known.index) / len(known)) if len(known) else np.nan


def _gaps(table: pd.DataFrame, region: dict, polarity: dict, names: dict, z: pd.DataFrame, used: list[str],
          vpr: dict[str, bool]) -> pd.DataFrame:
    """Each municipality × rating indicator: value, region, gap, rank, and its part in the score."""
    gaps = []
    for m in table.index:
        for code in table.columns:
            v, reg = table.at[m, code], region.get(code)
            sd = table[code].std(ddof=0)
            sign = 1.0 if polarity[code] == "higher_better" else -1.0 if polarity[code] == "lower_better" else 0.0
            gap = v - reg if not (pd.isna(v) or reg is None or pd.isna(reg)) else np.nan
            col_rank = (table[code] * sign).rank(ascending=False, method="min") if sign else None
            gaps.append(dict(municipality_code=m, indicator_code=code, name_ru=names[code], polarity=polarity[code],
                             value=v, region_value=reg, gap=gap,
                             gap_sd=(sign * gap / sd if sd and not pd.isna(gap) and sign else np.nan),
                             municipal_rank=(int(col_rank[m]) if col_rank is not None and not pd.isna(col_rank[m])
                                             else None),
                             rating_z=(z.at[m, code] if code in used else np.nan), vpr_based=vpr[code]))
    return pd.DataFrame(gaps, columns=columns("core.municipality_indicator"))


def _school_counts(status: pd.DataFrame) -> pd.DataFrame:
    return status.groupby("municipality_code").agg(
        schools=("school_name", "size"),
        low_result_schools=("low_results", lambda x: int(x.fillna(False).astype(bool).sum())),
        unfavorable_schools=("unfavorable_conditions", lambda x: int(x.fillna(False).astype(bool).sum())),
        biased_suspected_schools=("biased_results_suspected", lambda x: int(x.astype(bool).sum())),
        successful_practice_schools=("successful_practice", lambda x: int(x.astype(bool).sum())),
        head_effectiveness_mean=("head_effectiveness_score", "mean"))


def _reason(m: str, score: pd.Series, rank: pd.Series, z: pd.DataFrame, used: list[str], selected: set[str],
            names: dict) -> str:
    """Why the municipality was or was not chosen for the expert review, in Russian."""
    sc, n_known = score.get(m), int(score.notna().sum())
    if m in selected:
        worst = z.loc[m, used].dropna().sort_values().head(3)
        return (f"балл {fmt.num(sc, 2)}, место {int(rank[m])} из {n_known}: в числе {len(selected)} МО с "
                "наименьшим баллом; наибольшее отставание: "
                + ", ".join(f"{fmt.lower_first(names[c])} ({fmt.num(v, 2)} σ)" for c, v in worst.items()))
    if pd.isna(sc):
        return "балл не рассчитан (нет значений показателей)"
    return f"балл {fmt.num(sc, 2)}, место {int(rank[m])} из {n_known} — в число отобранных не входит"


def municipalities(data: YearData, s: dict, status: pd.DataFrame):
    """Returns (municipality status frame, indicator gaps frame, correlations frame, table for clusters)."""
    an_values, an_region = analysis_indicators(data, status)
    table, region, polarity, names = indicator_table(data, list(s["municipalities"]["ranking_indicators"]),
                                                     an_values, an_region)
    # Built on ВПР only where the year has ВПР (a region described by its ЕГЭ alone has none in its score).
    has_vpr = data.vpr is not None and len(data.vpr) > 0
    vpr = {code: has_vpr and data.built_on_vpr(code) for code in table.columns}
    leave_out = set() if s["municipalities"].get("use_vpr", True) else {c for c, v in vpr.items() if v}
    score, z, used = rating(table, polarity, leave_out)
    rank = score.rank(ascending=False, method="min")
    selected = select_for_review(score, s)
    gaps = _gaps(table, region, polarity, names, z, used, vpr)
    counts = _school_counts(status)
    names_m = data.schools.groupby("municipality_code")["municipality_name"].first()
    rows = []
    for m in table.index:
        components = z.loc[m, used] if m in z.index else pd.Series(dtype=float)
        rows.append(dict(municipality_code=m, municipality_name=names_m.get(m) or m,
                         schools=int(counts.at[m, "schools"]) if m in counts.index else 0,
                         score=score.get(m), rank=(int(rank[m]) if not pd.isna(rank.get(m)) else None),
                         indicators_used=int(components.notna().sum()), vpr_share=_vpr_share(components, vpr),
                         expert_review_selected=m in selected,
                         expert_review_reason_ru=_reason(m, score, rank, z, used, selected, names),
                         **{c: (counts.at[m, c] if m in counts.index else 0)
                            for c in ("low_result_schools", "unfavorable_schools", "biased_suspected_schools",
                                      "successful_practice_schools")},
                         head_effectiveness_mean=(counts.at[m, "head_effectiveness_mean"] if m in counts.index
                                                  else np.nan)))
    ms = pd.DataFrame(rows).set_index("municipality_code")
    # Features for the municipality clusters (their own list: results and context).
    feats = s["clusters"]["municipalities"]["features"]
    ftable, _, fpol, fnames = indicator_table(data, feats, an_values, an_region)
    return ms, gaps, correlations(data, s), (ftable, fpol, fnames)
