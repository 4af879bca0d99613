"""Schools with low results and schools in unfavourable social conditions (direction 1.2), and each
school's results against what its social context predicts.

Results of a procedure (ВПР, ОГЭ, ЕГЭ) are the mean percentile rank of its indicators among the
region's schools, each turned by its polarity so that 100 is best; an indicator counts only with at
least the minimum group. A share (a count of works within the school's works) is ranked on its
empirical-Bayes estimate (stats.eb_shares): a school of 15 works with 5 «2» is not ranked as if 33 % were
as sure as in a school of 150; the evidence shows the estimate and its 95 % interval. Low results are
judged on results alone (the context is a separate verdict).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from edu_quality import formatting as fmt

from .data import YearData
from .objectivity import context_design
from .stats import eb_shares, ols_residuals, percentile_rank, robust_sd


def shrunk(data: YearData, code: str, values: pd.Series, year: int | None = None) -> pd.DataFrame | None:
    """The empirical-Bayes estimates (estimate, low, high, weight; %) of a share indicator's school values,
    fitted over the schools given; None when the indicator is not a share of counts."""
    counts = data.school_counts(code, year).reindex(values.index)
    if counts.empty or counts.isna().any().any():
        return None
    eb = eb_shares(counts["numerator"].to_numpy(float), counts["denominator"].to_numpy(float))
    eb.index = values.index
    return eb


def procedure_scores(data: YearData, s: dict, year: int | None = None, estimates: dict | None = None
                     ) -> tuple[pd.DataFrame, dict]:
    """Per school (index) and procedure (columns): the procedure's score 0–100; and, per procedure, the
    indicator values that made it {procedure: {code: series}}. A share is ranked on its empirical-Bayes
    estimate; `estimates`, if given, receives them {code: frame}."""
    min_n = int(s["general"]["min_participants"])
    scores, parts = {}, {}
    for proc in s["low_results"]["procedures"]:
        ranks, values = [], {}
        for code in proc["indicators"]:
            polarity = data.polarity(code)
            if polarity not in ("higher_better", "lower_better"):
                continue  # not in the catalogue (no data) or without a direction
            v = data.school_indicator(code, year=year, min_denominator=min_n)
            if year is None or year == data.year:
                v = v[v.index.isin(data.schools.index)]
            if v.empty:
                continue
            values[code] = v
            eb = shrunk(data, code, v, year)
            if eb is not None and estimates is not None:
                estimates[code] = eb
            ranked = v if eb is None else eb["estimate"]
            ranks.append(percentile_rank(ranked, higher_better=polarity == "higher_better").rename(code))
        parts[proc["code"]] = values
        scores[proc["code"]] = (pd.concat(ranks, axis=1).mean(axis=1) if ranks else pd.Series(dtype=float))
    frame = pd.DataFrame(scores)
    return frame, parts


def results_score(scores: pd.DataFrame) -> pd.Series:
    return scores.mean(axis=1, skipna=True)


def low_results(data: YearData, s: dict) -> pd.DataFrame:
    """Low results: the results score (mean over procedures) at or below the region's `percentile`-th
    percentile. The procedures at or below their own percentile are named in the evidence."""
    cfg = s["low_results"]
    pct = float(cfg["percentile"])
    estimates: dict[str, pd.DataFrame] = {}
    scores, parts = procedure_scores(data, s, estimates=estimates)
    scores = scores.reindex(data.schools.index)

    def shown_value(code: str, v: pd.Series, school: str) -> str:
        unit = data.indicator_unit(code)
        text = f"{fmt.lower_first(data.indicator_name(code))} {fmt.value(v.get(school), unit)}"
        eb = estimates.get(code)
        if eb is not None and school in eb.index:
            e = eb.loc[school]
            text += (f" (оценка {fmt.value(e['estimate'], unit)}, 95-процентный интервал "
                     f"{fmt.num(e['low'])}–{fmt.value(e['high'], unit)})")
        return text
    names = {p["code"]: p["name_ru"] for p in cfg["procedures"]}

    def limit(series: pd.Series) -> float:
        return float(np.percentile(series.dropna(), pct)) if series.notna().any() else np.nan

    limits = {c: limit(scores[c]) for c in scores.columns}
    low = pd.DataFrame({c: scores[c] <= limits[c] for c in scores.columns}).where(scores.notna())
    assessed = scores.notna().sum(axis=1).astype(int)
    n_low = low.fillna(False).astype(bool).sum(axis=1).astype(int)
    total = results_score(scores)
    total_limit = limit(total)
    rows = []
    for school in data.schools.index:
        parts_text = []
        for c in scores.columns:
            if pd.isna(scores.at[school, c]):
                parts_text.append(f"{names[c]}: нет данных (нет показателей с группой не меньше "
                                  f"{s['general']['min_participants']})")
                continue
            shown = ", ".join(shown_value(code, v, school) for code, v in parts[c].items() if school in v.index)
            parts_text.append(f"{names[c]}: {fmt.num(scores.at[school, c])} из 100 (нижние {fmt.num(pct, 0)} % — до "
                              f"{fmt.num(limits[c])})" + (" — низкий" if low.at[school, c] else "") + f" ({shown})")
        score = total.get(school)
        if assessed[school] == 0:
            flag, verdict = None, "нет результатов оценочных процедур"
        else:
            flag = bool(score <= total_limit)
            verdict = (f"{'низкие результаты' if flag else 'не относится к ОО с низкими результатами'}: сводный "
                       f"результат {fmt.num(score)} из 100 при пороге {fmt.num(total_limit)} "
                       f"({fmt.num(pct, 0)}-й процентиль по ОО региона); процедур с результатом в нижних "
                       f"{fmt.num(pct, 0)} % — {n_low[school]} из {assessed[school]}")
        rows.append(dict(school_code=school, low_results=flag, procedures_assessed=int(assessed[school]),
                         procedures_low=int(n_low[school]),
                         low_results_evidence_ru=verdict + ". " + "; ".join(parts_text)))
    out = pd.DataFrame(rows).set_index("school_code")
    out["results_score"] = total
    return out


def unfavorable(data: YearData, s: dict) -> pd.DataFrame:
    cfg = s["unfavorable_conditions"]
    pct = float(cfg["percentile"])
    sch = data.schools
    rows = []
    limits = {f: (float(np.nanpercentile(sch[f].dropna(), pct)) if sch[f].notna().any() else np.nan)
              for f in cfg["social_fields"]}
    small_max = int(cfg["small_school_max_students"])
    for school, r in sch.iterrows():
        signs, notes, known = [], [], 0
        for f, name in cfg["social_fields"].items():
            v = r[f]
            if pd.isna(v):
                notes.append(f"{name} — нет данных")
                continue
            known += 1
            hit = v >= limits[f] and v > 0
            text = (f"{name} {fmt.value(v, '%')} (порог {fmt.value(limits[f], '%')}, {fmt.num(pct, 0)}-й "
                    f"процентиль региона)")
            (signs if hit else notes).append(text)
        social = len(signs)
        if r["locality"] == "сельская":
            signs.append("сельская местность")
        if r["students"] <= small_max:
            signs.append(f"малокомплектная ОО ({int(r['students'])} обучающихся при пороге {small_max})")
        if known == 0:
            flag, verdict = None, "нет данных о контингенте (доли малообеспеченных, неродного языка, ОВЗ)"
        else:
            flag = social >= int(cfg["min_social_signs"]) and len(signs) >= int(cfg["min_signs"])
            verdict = (("неблагоприятные социальные условия" if flag else "условия не относятся к неблагоприятным")
                       + f": признаков {len(signs)}, из них контингента {social}")
        evidence = verdict + (": " + "; ".join(signs) if signs else "")
        rows.append(dict(school_code=school, unfavorable_conditions=flag, unfavorable_signs=len(signs),
                         unfavorable_evidence_ru=evidence))
    return pd.DataFrame(rows).set_index("school_code")


def context_residual(data: YearData, score: pd.Series) -> pd.Series:
    """The results score against the one the social context predicts (least squares over the region's
    schools), in robust standard deviations of the residuals."""
    y = score.dropna()
    if len(y) < 5:
        return pd.Series(dtype=float)
    X = context_design(data.schools).loc[y.index].to_numpy()
    resid, _ = ols_residuals(y.to_numpy(float), X)
    sd = robust_sd(resid)
    return pd.Series(resid / sd if sd > 0 else resid * 0, index=y.index)
