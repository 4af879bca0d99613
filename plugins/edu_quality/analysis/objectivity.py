"""Objectivity of ВПР: signals per school × subject × grade, and the school's verdict.

Six kinds of signals, each from a different source of evidence, so that two of them agreeing is not
the same fact counted twice:
  journal   ВПР marks against the school's own journal marks (few lowered, many far apart);
  boundary  primary scores heaped just at the mark boundaries (lenient checking), with an estimate of how
            many works were raised to a boundary (bunching.py);
  context   a quality share far above what the school's social context predicts;
  oge       ВПР quality far above what the same subject's ОГЭ quality predicts (ОГЭ is supervised);
  jump      a quality share far above what last year's predicts;
  tasks     the tasks the region finds hard done better, against the easy ones, than the school's level
            predicts (Rosobrnadzor's marker: hard tasks done better than easy ones).
Two more kinds judge the objectivity of the other external assessments (the Revda order's direction 5):
  gia       ОГЭ quality far above what the same cohort's ВПР 8 a year earlier predicts, and ОГЭ works
            heaped at the ОГЭ mark boundaries (the bunching estimate's interval above zero);
  olympiad  the school stage's winners and prize-winners winning at the next stage far less often than
            the region's (a school stage judged leniently).
context, oge, jump, tasks and gia compare the school with a least-squares model over the region's schools
(model_z).
A signal needs both a large deviation (the threshold) and a small chance of arising by sampling (p < α;
for `context` the threshold is itself a z).
A group below the minimum size gets no verdict. A kind agrees for a school when it is flagged in a
given share of the school's assessed groups; a school is suspected when enough kinds agree.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats as sps

from edu_quality import formatting as fmt

from . import bunching
from .data import YearData
from .stats import binom_lower_p, binom_upper_p, normal_upper_p, ols_residuals
from .tables import columns

KINDS = {
    "journal": "Сравнение с отметками по журналу",
    "boundary": "Пики первичных баллов у границ отметок",
    "context": "Результат выше ожидаемого по социальному контексту",
    "oge": "Расхождение ВПР и ОГЭ по предмету",
    "jump": "Скачок результатов к прошлому году",
    "tasks": "Трудные задания выполнены лучше лёгких",
    "gia": "Объективность ОГЭ",
    "olympiad": "Объективность школьного этапа ВсОШ",
}
SIGNALS = {
    "journal_lowered": ("journal", "доля участников, понизивших отметку по журналу, %"),
    "journal_confirmed": ("journal", "доля участников, подтвердивших отметку по журналу, % (справочно)"),
    "journal_raised": ("journal", "доля участников, повысивших отметку по журналу, % (справочно)"),
    "journal_gap_2plus": ("journal", "доля расхождений ВПР и журнала на 2 балла и более, %"),
    "boundary_peak": ("boundary", "во сколько раз доля работ у границ отметок выше региональной"),
    "context_residual": ("context", "отклонение доли «4» и «5» от ожидаемой по контексту, σ"),
    "vpr_vs_oge": ("oge", "превышение доли «4» и «5» ВПР над ожидаемой по ОГЭ того же предмета, п. п."),
    "jump": ("jump", "превышение доли «4» и «5» над ожидаемой по прошлому году, п. п."),
    "task_inversion": ("tasks", "превышение разности успешности трудных и лёгких заданий над ожидаемой, п. п."),
    "oge_vs_vpr": ("gia", "превышение доли «4» и «5» ОГЭ над ожидаемой по ВПР 8 класса той же когорты, п. п."),
    "oge_boundary": ("gia", "оценка доли работ ОГЭ, поднятых к границам отметок, %"),
    "olympiad_next_stage": ("olympiad", "доля призёров следующего этапа среди победителей и призёров школьного "
                                        "этапа, % от региональной"),
}
# `oge` (ВПР above what ОГЭ predicts) and `gia` (ОГЭ above what ВПР predicts) read the same ВПР 8 / ОГЭ pair in
# opposite directions: for the verdict they are one source of evidence.
SAME_EVIDENCE = {"gia": "oge"}
# School types that select or teach differently: the context model gives each group its own level.
SELECTIVE_TYPES = ("гимназия", "лицей", "СОШ с УИОП")
SPECIAL_TYPES = ("вечерняя школа", "школа-интернат")
CONTEXT_FIELDS = ("low_income_pct", "non_native_pct", "disability_pct", "rural")
INSUFFICIENT = "недостаточно участников"
# The stored columns, and whether the group had enough data for a verdict (counts the school's assessed groups).
COLUMNS = [*columns("core.objectivity_signal"), "assessed"]


def _group(subject: str, grade: int) -> str:
    """«Математика, 5 кл.»; a group of every grade (the olympiads' subjects) is the subject alone."""
    return f"{subject}, {int(grade)} кл." if int(grade) else subject


def _frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return frame.astype({"flagged": bool, "assessed": bool}) if frame.empty else frame


def _share(k, n):
    return np.where(np.asarray(n, float) > 0, np.asarray(k, float) / np.maximum(np.asarray(n, float), 1) * 100,
                    np.nan)


def _conclusion(flag: bool) -> str:
    return " — признак необъективности" if flag else " — в пределах нормы"


def _rows(frame: pd.DataFrame, signal: str, kind: str, value, threshold, flagged, participants, school_value,
          reference_value, p_value, verdict, assessed) -> pd.DataFrame:
    n = len(frame)

    def col(x):
        return np.full(n, x, dtype=object) if np.isscalar(x) or x is None else np.asarray(x)

    return pd.DataFrame({
        "school_code": frame["school_code"].to_numpy(), "subject": frame["subject"].to_numpy(),
        "grade": frame["grade"].astype(int).to_numpy(), "signal_code": signal, "signal_kind": kind,
        "value": col(value), "threshold": col(threshold), "flagged": col(flagged).astype(bool),
        "participants": col(participants).astype(int), "school_value": col(school_value),
        "reference_value": col(reference_value), "p_value": col(p_value), "verdict_ru": col(verdict),
        "assessed": col(assessed).astype(bool)}, columns=COLUMNS)


def journal_signals(data: YearData, s: dict) -> pd.DataFrame:
    o, g = s["objectivity"], s["general"]
    min_n, alpha = int(g["min_participants"]), float(g["alpha"])
    v = data.vpr
    if v.empty:
        return _frame([])
    keys = ["lowered", "confirmed", "raised", "gap_2plus"]
    region = v.groupby(["subject", "grade"])[["with_journal"] + keys].sum()
    f = v.join(region, on=["subject", "grade"], suffixes=("", "_reg"))
    n = f["with_journal"].to_numpy(float)
    enough = n >= min_n
    share = {k: _share(f[k], n) for k in keys}
    reg = {k: _share(f[f"{k}_reg"], f["with_journal_reg"]) for k in keys}
    short = [f"{INSUFFICIENT} ({int(x)} с отметкой по журналу при минимуме {min_n})" for x in n]
    parts = []

    # Few lowered marks: ВПР marks as high as the teacher's own.
    thr = float(o["journal_lowered"]["ratio_max"]) * reg["lowered"]
    p = np.where(enough, binom_lower_p(f["lowered"].to_numpy(int), n.astype(int), reg["lowered"] / 100), np.nan)
    flag = enough & (share["lowered"] <= thr) & (p < alpha)
    verdict = [sh if not ok else
               f"понизили отметку {fmt.value(a, '%')} при пороге {fmt.value(t, '%')} (регион {fmt.value(r, '%')})"
               + _conclusion(fl)
               for ok, sh, a, t, r, fl in zip(enough, short, share["lowered"], thr, reg["lowered"], flag)]
    parts.append(_rows(f, "journal_lowered", "journal", share["lowered"], thr, flag, n, share["lowered"],
                       reg["lowered"], p, verdict, enough))

    for code, key, word in (("journal_confirmed", "confirmed", "подтвердили"),
                            ("journal_raised", "raised", "повысили")):
        verdict = [sh if not ok else f"справочно: {word} отметку {fmt.value(a, '%')} (регион {fmt.value(r, '%')})"
                   for ok, sh, a, r in zip(enough, short, share[key], reg[key])]
        parts.append(_rows(f, code, "journal", share[key], None, False, n, share[key], reg[key], None, verdict,
                           False))

    # Marks two or more points apart: the school's current marks do not measure what ВПР measures.
    thr = np.maximum(float(o["journal_gap_2plus"]["ratio_min"]) * reg["gap_2plus"],
                     float(o["journal_gap_2plus"]["min_value"]))
    p = np.where(enough, binom_upper_p(f["gap_2plus"].to_numpy(int), n.astype(int), reg["gap_2plus"] / 100), np.nan)
    flag = enough & (share["gap_2plus"] >= thr) & (p < alpha)
    verdict = [sh if not ok else
               f"расхождение на 2 балла и более у {fmt.value(a, '%')} при пороге {fmt.value(t, '%')} "
               f"(регион {fmt.value(r, '%')})" + _conclusion(fl)
               for ok, sh, a, t, r, fl in zip(enough, short, share["gap_2plus"], thr, reg["gap_2plus"], flag)]
    parts.append(_rows(f, "journal_gap_2plus", "journal", share["gap_2plus"], thr, flag, n, share["gap_2plus"],
                       reg["gap_2plus"], p, verdict, enough))
    return pd.concat(parts, ignore_index=True)


def boundary_signals(data: YearData, s: dict) -> pd.DataFrame:
    o, g = s["objectivity"]["boundary_peak"], s["general"]
    min_n, alpha = int(g["min_participants"]), float(g["alpha"])
    ratio_min, min_window = float(o["ratio_min"]), int(o["min_window"])
    b = data.boundaries.merge(data.vpr[["school_code", "subject", "grade", "works"]],
                              on=["school_code", "subject", "grade"], how="left")
    if b.empty:
        return _frame([])
    region = b.groupby(["subject", "grade"])[["at_boundary", "below", "above"]].sum()
    f = b.join(region, on=["subject", "grade"], suffixes=("", "_reg"))
    at, near = f["at_boundary"].to_numpy(float), (f["below"] + f["above"]).to_numpy(float)
    at_r, near_r = f["at_boundary_reg"].to_numpy(float), (f["below_reg"] + f["above_reg"]).to_numpy(float)
    window, window_r = at + near, at_r + near_r
    p0 = np.where(window_r > 0, at_r / np.maximum(window_r, 1), np.nan)
    # Half a work on each side keeps a ratio finite when a window is empty.
    value = ((at + 0.5) / (near + 0.5)) / ((at_r + 0.5) / (near_r + 0.5))
    works = f["works"].fillna(0).to_numpy(int)
    enough = (works >= min_n) & (window >= min_window)
    p = np.where(enough, binom_upper_p(at.astype(int), window.astype(int), p0), np.nan)
    flag = enough & (value >= ratio_min) & (p < alpha)
    share = _share(at, window)
    # How many works were raised: the bunching estimate with its interval, for the groups with a verdict.
    bunch = bunching.estimates(data.scores, int(s["objectivity"]["bunching"]["gap"])).set_index(
        ["school_code", "subject", "grade"])
    # Aligned to the groups in one step: a lookup per group was minutes at a country's 600,000 groups.
    aligned = bunch.reindex(pd.MultiIndex.from_arrays([f["school_code"], f["subject"], f["grade"].astype(int)],
                                                      names=bunch.index.names))
    present = enough & aligned["estimate"].notna().to_numpy()
    found = [dict(estimate=e, low=lo, high=hi, by_mark=by) if ok else None
             for e, lo, hi, by, ok in zip(aligned["estimate"], aligned["low"], aligned["high"], aligned["by_mark"],
                                          present)]
    verdict = []
    for w, win, ok, sh, r, val, fl, est in zip(works, window, enough, share, p0 * 100, value, flag, found):
        if w < min_n:
            verdict.append(f"{INSUFFICIENT} ({w} работ при минимуме {min_n})")
        elif not ok:
            verdict.append(f"мало работ около границ отметок ({int(win)} при минимуме {min_window}) — вывода нет")
        else:
            text = (f"у границ отметок {fmt.value(sh, '%')} работ окна (регион {fmt.value(r, '%')}), в "
                    f"{fmt.num(val, 2)} раза выше региона при пороге {fmt.num(ratio_min, 2)}" + _conclusion(fl))
            if fl:
                text += "; " + (bunching.describe(est["estimate"], est["low"], est["high"], est["by_mark"])
                                if est is not None else bunching.NOT_ESTIMATED)
            verdict.append(text)
    out = _rows(f, "boundary_peak", "boundary", value, ratio_min, flag, works, share, p0 * 100, p, verdict, enough)
    for col, name in (("estimate", "estimate"), ("estimate_low", "low"), ("estimate_high", "high")):
        out[col] = [None if e is None else float(e[name]) for e in found]
    return out


def context_design(schools: pd.DataFrame) -> pd.DataFrame:
    """The context covariates of the model: social fields (missing → the region's median), rural, and
    the school-type groups that select or teach differently."""
    X = schools[list(CONTEXT_FIELDS)].astype(float).copy()
    X = X.fillna(X.median())
    X["selective"] = schools["school_type"].isin(SELECTIVE_TYPES).astype(float)
    X["special"] = schools["school_type"].isin(SPECIAL_TYPES).astype(float)
    return X.fillna(0.0)


def _model_fit(share: np.ndarray, works: np.ndarray, X: np.ndarray, sampling: np.ndarray | None = None):
    """The model both model_z and model_shrunk read: least-squares residuals and fitted values over the region's
    schools, each school's sampling variance (%²; binomial unless given) and τ², the between-school variance left
    after sampling, max(0, Σresidual²/dof − mean sampling variance)."""
    resid, fitted = ols_residuals(share, X)
    if sampling is None:
        p = np.clip(share / 100, 0.5 / works, 1 - 0.5 / works)
        sampling = p * (1 - p) / works * 1e4
    dof = max(len(share) - X.shape[1] - 1, 1)
    tau2 = max(0.0, float((resid ** 2).sum() / dof - sampling.mean()))
    return resid, fitted, sampling, tau2


def model_z(share: np.ndarray, works: np.ndarray, X: np.ndarray, sampling: np.ndarray | None = None
            ) -> tuple[np.ndarray, np.ndarray]:
    """A school's share (%) against what a least-squares model over the region's schools expects.
    Returns (z, expected): z divides the residual by √(τ² + the school's own sampling variance) (_model_fit).
    So a small school needs a larger deviation, and the spread of real schools is not mistaken for
    sampling noise (cohorts and classes differ from year to year). `sampling` (in %²) replaces the
    binomial variance of a share for a value that is not one (the task signal's difference)."""
    resid, fitted, sampling, tau2 = _model_fit(share, works, X, sampling)
    return resid / np.sqrt(tau2 + sampling), fitted


def model_shrunk(share: np.ndarray, works: np.ndarray, X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The empirical-Bayes estimate of each school's true share under model_z's model — the expected value
    plus the residual shrunk by τ²/(τ² + σ²ᵢ) — and its 95 % interval (posterior sd √(τ²σ²ᵢ/(τ² + σ²ᵢ))), %.
    A small school's estimate stays near what its context predicts unless its own works say otherwise."""
    resid, fitted, sampling, tau2 = _model_fit(share, works, X)
    if tau2 == 0:
        # No spread beyond sampling noise is left: the model cannot say how far a school may be from it, so the
        # school keeps its own share and its sampling interval.
        estimate, half = share.astype(float), bunching.Z95 * np.sqrt(sampling)
        return estimate, np.clip(estimate - half, 0, 100), np.clip(estimate + half, 0, 100)
    weight = tau2 / (tau2 + sampling)
    estimate = fitted + weight * resid
    half = bunching.Z95 * np.sqrt(weight * sampling)
    return estimate, np.clip(estimate - half, 0, 100), np.clip(estimate + half, 0, 100)


def _model_rows(frame: pd.DataFrame, X: np.ndarray, s: dict, signal: str, kind: str, threshold: float,
                measure, describe, use_alpha: bool = True) -> list[dict]:
    """Signals of one subject × grade from model_z. `frame`: school_code, subject, grade, works, share (%),
    enough (bool), not_enough (the verdict when not enough), optionally sampling (the value's sampling
    variance, when it is not a binomial share) and what `describe` needs.
    value = measure(share, expected, z); the signal is past its threshold when value ≥ threshold, and is
    flagged when, besides, p = P(Z ≥ z) < α (unless use_alpha is off: then z itself is the threshold)."""
    g = s["general"]
    alpha, min_schools = float(g["alpha"]), int(g["min_schools_model"])
    ok = frame[frame["enough"]]
    model = len(ok) >= min_schools
    z_by, exp_by = {}, {}
    if model:
        z, expected = model_z(ok["share"].to_numpy(float), ok["works"].to_numpy(float), X,
                              ok["sampling"].to_numpy(float) if "sampling" in ok else None)
        z_by, exp_by = dict(zip(ok["school_code"], z)), dict(zip(ok["school_code"], expected))
    rows = []
    for r in frame.itertuples(index=False):
        assessed = bool(r.enough and model)
        if assessed:
            z, expected = float(z_by[r.school_code]), float(exp_by[r.school_code])
            value = float(measure(r.share, expected, z))
            p = float(normal_upper_p(z))
            past = value >= threshold
            flagged = past and (p < alpha or not use_alpha)
            verdict = describe(r, expected, z, value) + _conclusion(flagged)
        else:
            expected = z = p = value = np.nan
            flagged = False
            verdict = (r.not_enough if not r.enough else
                       f"недостаточно ОО для модели ({len(ok)} при минимуме {min_schools})")
        rows.append(dict(school_code=r.school_code, subject=r.subject, grade=int(r.grade), signal_code=signal,
                         signal_kind=kind, value=value, threshold=threshold, flagged=bool(flagged),
                         participants=int(r.works), school_value=r.share, reference_value=expected, p_value=p,
                         verdict_ru=verdict, assessed=assessed))
    return rows


def context_signals(data: YearData, s: dict) -> pd.DataFrame:
    min_n = int(s["general"]["min_participants"])
    z_min = float(s["objectivity"]["context_residual"]["z_min"])
    v = data.vpr
    if v.empty:
        return _frame([])
    design = context_design(data.schools)

    def describe(r, expected, z, value):
        return (f"доля «4» и «5» {fmt.value(r.share, '%')} при ожидаемой по контексту {fmt.value(expected, '%')}: "
                f"{fmt.num(z, 1)} σ при пороге {fmt.num(z_min, 1)} σ; оценка с учётом числа работ "
                f"{fmt.value(r.eb, '%')} (95-процентный интервал {fmt.num(r.eb_low)}–{fmt.value(r.eb_high, '%')})")

    rows = []
    for _, grp in v.groupby(["subject", "grade"]):
        f = grp.assign(share=grp["marks_4_5"] / grp["works"] * 100, enough=grp["works"] >= min_n,
                       not_enough=[f"{INSUFFICIENT} ({int(w)} работ при минимуме {min_n})" for w in grp["works"]],
                       eb=np.nan, eb_low=np.nan, eb_high=np.nan)
        X = design.loc[f.loc[f["enough"], "school_code"]].to_numpy()
        if f["enough"].sum() >= int(s["general"]["min_schools_model"]):
            ok = f["enough"].to_numpy()
            f.loc[ok, "eb"], f.loc[ok, "eb_low"], f.loc[ok, "eb_high"] = model_shrunk(
                f.loc[ok, "share"].to_numpy(float), f.loc[ok, "works"].to_numpy(float), X)
        rows += _model_rows(f, X, s, "context_residual", "context", z_min, lambda share, exp, z: z, describe,
                            use_alpha=False)
    return _frame(rows)


def _excess(share, expected, z):
    return share - expected


def oge_signals(data: YearData, s: dict) -> pd.DataFrame:
    o, min_n = s["objectivity"]["vpr_vs_oge"], int(s["general"]["min_participants"])
    grade, thr = int(o["grade"]), float(o["excess_min_pp"])
    same_cohort = data.previous_loaded
    source = data.vpr_previous if same_cohort else data.vpr
    vpr = source[source["grade"] == grade][["school_code", "subject", "grade", "works", "marks_4_5"]]
    both = vpr.merge(data.oge[["school_code", "subject", "results", "marks_4_5"]], on=["school_code", "subject"],
                     suffixes=("", "_oge"))
    both = both[both["school_code"].isin(data.schools.index)]
    if both.empty:
        return _frame([])
    cohort = (f"ВПР {grade} кл. {data.year - 1} г." if same_cohort else
              f"ВПР {grade} кл. {data.year} г. (другая когорта: прошлый год не загружен)")

    def describe(r, expected, z, value):
        return (f"{cohort}: «4» и «5» {fmt.value(r.share, '%')}, ОГЭ {data.year} г.: {fmt.value(r.oge_share, '%')}; "
                f"ожидалось по ОГЭ {fmt.value(expected, '%')}, превышение {fmt.value(value, 'п. п.')} при пороге "
                f"{fmt.value(thr, 'п. п.')}")

    rows = []
    for _, grp in both.groupby("subject"):
        f = grp.assign(share=grp["marks_4_5"] / grp["works"] * 100,
                       oge_share=grp["marks_4_5_oge"] / grp["results"] * 100,
                       enough=(grp["works"] >= min_n) & (grp["results"] >= min_n),
                       not_enough=[f"{INSUFFICIENT} (ВПР {int(w)}, ОГЭ {int(n)} при минимуме {min_n})"
                                   for w, n in zip(grp["works"], grp["results"])])
        X = f.loc[f["enough"], ["oge_share"]].to_numpy()
        rows += _model_rows(f, X, s, "vpr_vs_oge", "oge", thr, _excess, describe)
    return _frame(rows)


def jump_signals(data: YearData, s: dict) -> pd.DataFrame:
    min_n = int(s["general"]["min_participants"])
    thr = float(s["objectivity"]["jump"]["excess_min_pp"])
    if not data.previous_loaded or data.vpr.empty:
        return _frame([])
    both = data.vpr[["school_code", "subject", "grade", "works", "marks_4_5"]].merge(
        data.vpr_previous[["school_code", "subject", "grade", "works", "marks_4_5"]],
        on=["school_code", "subject", "grade"], how="left", suffixes=("", "_prev"))

    def describe(r, expected, z, value):
        return (f"доля «4» и «5» {fmt.value(r.share, '%')} против {fmt.value(r.prev_share, '%')} год назад; "
                f"ожидалось по прошлому году {fmt.value(expected, '%')}, превышение {fmt.value(value, 'п. п.')} "
                f"при пороге {fmt.value(thr, 'п. п.')}")

    rows = []
    for _, grp in both.groupby(["subject", "grade"]):
        has_prev = grp["works_prev"].notna()
        f = grp.assign(share=grp["marks_4_5"] / grp["works"] * 100,
                       prev_share=grp["marks_4_5_prev"] / grp["works_prev"] * 100,
                       enough=has_prev & (grp["works"] >= min_n) & (grp["works_prev"].fillna(0) >= min_n),
                       not_enough=[("нет данных за прошлый год по этому предмету и параллели" if pd.isna(wp) else
                                    f"{INSUFFICIENT} (в этом году {int(w)}, в прошлом {int(wp)} при минимуме {min_n})")
                                   for w, wp in zip(grp["works"], grp["works_prev"])])
        X = f.loc[f["enough"], ["prev_share"]].to_numpy()
        rows += _model_rows(f, X, s, "jump", "jump", thr, _excess, describe)
    return _frame(rows)


def _band_sums(t: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Per group: the mean success, the summed sampling variance and the number of tasks. Each group's rows are
    summed by numpy's own sum, as Series.mean and .sum do, so the figures are those of a loop over the groups to
    the last bit (a grouped mean or np.add.reduceat sum in another order, and moved a rounded half in the
    evidence)."""
    group = t.groupby(keys, sort=True).ngroup().to_numpy()
    t = t.iloc[np.argsort(group, kind="stable")]  # each group's rows together, in their order
    start = np.flatnonzero(np.diff(np.sort(group), prepend=-1) != 0)
    count = np.diff(np.append(start, len(t))).astype(float)
    index = pd.MultiIndex.from_frame(t.iloc[start][keys])
    ends = np.append(start[1:], len(t))
    success, var = t["success"].to_numpy(float), t["var"].to_numpy(float)
    return pd.DataFrame({"mean": [success[a:b].sum() for a, b in zip(start, ends)] / count,
                         "var": [var[a:b].sum() for a, b in zip(start, ends)], "count": count}, index=index)


def task_frame(tasks: pd.DataFrame, share: float) -> pd.DataFrame:
    """Per school × subject × grade: works, overall success, success on the region's hard and easy tasks
    (%), the hard − easy difference, its sampling variance (%²) and Spearman's ρ of the school's task
    success against the region's. A task's maximum is the most any work of the region scored on it; a task
    is easy or hard by the region's success on it: the top and the bottom `share` of the test's tasks."""
    if tasks.empty:
        return pd.DataFrame()
    t = tasks.copy()
    test = ["subject", "grade", "task"]
    region = t.groupby(test).agg(r_points=("points", "sum"), r_works=("works", "sum"), top=("max_points", "max"))
    region = region[region["top"] > 0]
    region["r_success"] = region["r_points"] / (region["r_works"] * region["top"])
    rank = region.groupby(["subject", "grade"])["r_success"].rank(method="first", pct=False)
    count = region.groupby(["subject", "grade"])["r_success"].transform("size")
    k = np.maximum(1, np.round(count * share))
    region["band"] = np.where(rank <= k, "hard", np.where(rank > count - k, "easy", "middle"))
    t = t.join(region[["top", "r_success", "band"]], on=test, how="inner")
    t["success"] = t["points"] / (t["works"] * t["top"])
    n = t["works"].astype(float)
    p = np.clip(t["success"], 0.5 / n, 1 - 0.5 / n)
    t["var"] = p * (1 - p) / n
    # Per group in one pass of grouped sums (a loop over the groups took most of a region's analysis).
    keys = ["school_code", "subject", "grade"]
    t["max_points_all"] = t["works"] * t["top"]
    whole = t.groupby(keys, sort=True).agg(works=("works", "max"), points=("points", "sum"),
                                            possible=("max_points_all", "sum"), tasks=("success", "size"),
                                            s_distinct=("success", "nunique"), r_distinct=("r_success", "nunique"))
    bands = {band: _band_sums(t[t["band"] == band], keys) for band in ("hard", "easy")}
    # Spearman's ρ: Pearson's r of the average ranks within the group (as scipy.stats.spearmanr).
    x = t.groupby(keys)["success"].rank(method="average")
    y = t.groupby(keys)["r_success"].rank(method="average")
    sums = pd.DataFrame({"x": x, "y": y, "xy": x * y, "xx": x * x, "yy": y * y}).join(t[keys]).groupby(
        keys, sort=True).sum()
    n = whole["tasks"].astype(float)
    cov = n * sums["xy"] - sums["x"] * sums["y"]
    spread = (n * sums["xx"] - sums["x"] ** 2) * (n * sums["yy"] - sums["y"] ** 2)
    varies = (whole["tasks"] > 2) & (whole["s_distinct"] > 1) & (whole["r_distinct"] > 1)
    rho = (cov / np.sqrt(spread.where(spread > 0))).where(varies)
    out = whole.join(bands["hard"].add_prefix("hard_"), how="inner").join(bands["easy"].add_prefix("easy_"),
                                                                            how="inner")
    if out.empty:
        return pd.DataFrame()
    out = pd.DataFrame({
        "works": out["works"].astype(int), "overall": out["points"] / out["possible"] * 100,
        "hard": out["hard_mean"] * 100, "easy": out["easy_mean"] * 100,
        "sampling": (out["hard_var"] / out["hard_count"] ** 2 + out["easy_var"] / out["easy_count"] ** 2) * 1e4,
        "rho": rho.reindex(out.index).clip(-1, 1)}).reset_index()
    out["grade"] = out["grade"].astype(int)
    out["share"] = out["hard"] - out["easy"]
    return out


def task_signals(data: YearData, s: dict) -> pd.DataFrame:
    o, min_n = s["objectivity"]["task_inversion"], int(s["general"]["min_participants"])
    thr = float(o["excess_min_pp"])
    f = task_frame(data.tasks, float(o["band_share"]))
    if f.empty:
        return _frame([])
    f = f[f["school_code"].isin(data.schools.index)]

    def describe(r, expected, z, value):
        rho = (f" (согласие с трудностью заданий в регионе ρ = {fmt.num(r.rho, 2)})" if r.rho == r.rho else "")
        return (f"трудные задания выполнены на {fmt.value(r.hard, '%')}, лёгкие на {fmt.value(r.easy, '%')}: разность "
                f"{fmt.value(r.share, 'п. п.')} при ожидаемой по уровню ОО {fmt.value(expected, 'п. п.')}, превышение "
                f"{fmt.value(value, 'п. п.')} при пороге {fmt.value(thr, 'п. п.')}" + rho)

    rows = []
    for _, grp in f.groupby(["subject", "grade"]):
        g = grp.assign(enough=grp["works"] >= min_n,
                       not_enough=[f"{INSUFFICIENT} ({int(w)} работ при минимуме {min_n})" for w in grp["works"]])
        ok = g.loc[g["enough"], "overall"].to_numpy(float)
        X = np.column_stack([ok, ok ** 2])
        rows += _model_rows(g, X, s, "task_inversion", "tasks", thr, _excess, describe)
    return _frame(rows)


def gia_vpr_signals(data: YearData, s: dict) -> pd.DataFrame:
    """ОГЭ against the same cohort's ВПР 8 a year earlier: ОГЭ quality far above what ВПР predicts."""
    o, min_n = s["objectivity"]["gia"], int(s["general"]["min_participants"])
    grade, thr = int(s["objectivity"]["vpr_vs_oge"]["grade"]), float(o["excess_min_pp"])
    if not data.previous_loaded or data.oge.empty:
        return _frame([])
    vpr = data.vpr_previous[data.vpr_previous["grade"] == grade][["school_code", "subject", "works", "marks_4_5"]]
    both = data.oge[["school_code", "subject", "results", "marks_4_5"]].merge(
        vpr.rename(columns={"works": "works_vpr", "marks_4_5": "marks_4_5_vpr"}), on=["school_code", "subject"])
    both = both[both["school_code"].isin(data.schools.index)]
    if both.empty:
        return _frame([])

    def describe(r, expected, z, value):
        return (f"ОГЭ {data.year} г.: «4» и «5» {fmt.value(r.share, '%')}, ВПР {grade} кл. {data.year - 1} г.: "
                f"{fmt.value(r.vpr_share, '%')}; ожидалось по ВПР {fmt.value(expected, '%')}, превышение "
                f"{fmt.value(value, 'п. п.')} при пороге {fmt.value(thr, 'п. п.')}")

    rows = []
    for _, grp in both.groupby("subject"):
        f = grp.assign(grade=9, works=grp["results"], share=grp["marks_4_5"] / grp["results"] * 100,
                       vpr_share=grp["marks_4_5_vpr"] / grp["works_vpr"] * 100,
                       enough=(grp["results"] >= min_n) & (grp["works_vpr"] >= min_n),
                       not_enough=[f"{INSUFFICIENT} (ОГЭ {int(n)}, ВПР {int(w)} при минимуме {min_n})"
                                   for n, w in zip(grp["results"], grp["works_vpr"])])
        X = f.loc[f["enough"], ["vpr_share"]].to_numpy()
        rows += _model_rows(f, X, s, "oge_vs_vpr", "gia", thr, _excess, describe)
    return _frame(rows)


def gia_boundary_signals(data: YearData, s: dict) -> pd.DataFrame:
    """ОГЭ works heaped at the ОГЭ mark boundaries: the bunching estimate (bunching.py) as a share of the
    school's works, flagged when its 95 % interval lies above zero and the share reaches the threshold."""
    o, g = s["objectivity"]["gia"], s["general"]
    min_n, alpha, thr = int(g["min_participants"]), float(g["alpha"]), float(o["boundary_min_share"])
    scores = data.oge_scores
    if scores.empty:
        return _frame([])
    works = scores.groupby(["school_code", "subject"])["works"].sum()
    est = bunching.estimates(scores, int(s["objectivity"]["bunching"]["gap"])).set_index(["school_code", "subject"])
    rows = []
    for (school, subject), n in works.items():
        if school not in data.schools.index:
            continue
        n = int(n)
        base = dict(school_code=school, subject=subject, grade=9, signal_code="oge_boundary", signal_kind="gia",
                    threshold=thr, participants=n, reference_value=None)
        if n < min_n:
            rows.append({**base, "flagged": False, "assessed": False,
                         "verdict_ru": f"{INSUFFICIENT} ({n} результатов ОГЭ при минимуме {min_n})"})
            continue
        if (school, subject) not in est.index:
            rows.append({**base, "flagged": False, "assessed": False, "verdict_ru": bunching.NOT_ESTIMATED})
            continue
        e = est.loc[(school, subject)]
        se = max((float(e["high"]) - float(e["low"])) / (2 * bunching.Z95), 1e-9)
        p = float(normal_upper_p(float(e["estimate"]) / se))
        value = float(e["estimate"]) / n * 100
        flagged = bool(float(e["low"]) > 0 and value >= thr and p < alpha)
        verdict = "ОГЭ: " + bunching.describe(e["estimate"], e["low"], e["high"], e["by_mark"])
        if e["estimate"] >= 0.5:
            verdict += f" ({fmt.value(value, '%')} результатов при пороге {fmt.value(thr, '%')})"
        rows.append({**base, "value": value, "flagged": flagged, "school_value": float(e["estimate"]),
                     "p_value": p, "verdict_ru": verdict + _conclusion(flagged), "assessed": True,
                     "estimate": float(e["estimate"]), "estimate_low": float(e["low"]),
                     "estimate_high": float(e["high"])})
    return _frame(rows)


OLYMPIAD_GROUP = "ВсОШ, все предметы"


def olympiad_signals(data: YearData, s: dict) -> pd.DataFrame:
    """The school stage's winners and prize-winners at the next stage, over all subjects (per subject the
    numbers are too small): a school whose school-stage prizes turn into next-stage prizes far less often
    than the rest of the region's judged its school stage leniently. The rest of the region's rate is
    taken over the school's own subjects, weighted as the school's pupils went on."""
    o, g = s["objectivity"]["olympiad"], s["general"]
    min_n, alpha, ratio_max = int(g["min_participants"]), float(g["alpha"]), float(o["ratio_max"])
    f = data.olympiads
    if f.empty:
        return _frame([])
    f = f[f["school_code"].isin(data.schools.index)]
    region = f.groupby("subject")[["went_on", "next_prizes"]].sum()
    rest = f.merge(region, left_on="subject", right_index=True, suffixes=("", "_reg"))
    rest["rate"] = ((rest["next_prizes_reg"] - rest["next_prizes"])
                    / (rest["went_on_reg"] - rest["went_on"]).where(lambda x: x > 0))
    # A subject nobody else in the region went on in says nothing of what to expect: left out on both sides.
    rest = rest[rest["rate"].notna()]
    rest["expected"] = rest["rate"] * rest["went_on"]
    per_school = rest.groupby("school_code")[["went_on", "next_prizes", "expected"]].sum()
    rows = []
    for school, r in per_school.iterrows():
        went, won = int(r["went_on"]), int(r["next_prizes"])
        p0 = float(r["expected"]) / went if went else 0.0
        base = dict(school_code=school, subject=OLYMPIAD_GROUP, grade=0, signal_code="olympiad_next_stage",
                    signal_kind="olympiad", threshold=ratio_max * 100, participants=went)
        if went < min_n or p0 <= 0:
            why = (f"{INSUFFICIENT} ({went} победителей и призёров школьного этапа на следующем этапе при минимуме "
                   f"{min_n})" if went < min_n else "в остальном регионе нет призёров следующего этапа")
            rows.append({**base, "flagged": False, "assessed": False, "verdict_ru": why})
            continue
        share = won / went
        ratio = share / p0 * 100
        p = float(binom_lower_p(won, went, p0))
        flagged = bool(ratio <= ratio_max * 100 and p < alpha)
        verdict = (f"из {went} победителей и призёров школьного этапа, участвовавших в следующем, победителями или "
                   f"призёрами стали {won} ({fmt.value(share * 100, '%')}; ожидалось по остальному региону "
                   f"{fmt.value(p0 * 100, '%')}): "
                   f"{fmt.value(ratio, '%')} от ожидаемого при пороге {fmt.value(ratio_max * 100, '%')}"
                   + _conclusion(flagged))
        rows.append({**base, "value": ratio, "flagged": flagged, "school_value": share * 100,
                     "reference_value": p0 * 100, "p_value": p, "verdict_ru": verdict, "assessed": True})
    return _frame(rows)


def signals(data: YearData, s: dict) -> pd.DataFrame:
    parts = [journal_signals(data, s), boundary_signals(data, s), context_signals(data, s),
             oge_signals(data, s), jump_signals(data, s), task_signals(data, s), gia_vpr_signals(data, s),
             gia_boundary_signals(data, s), olympiad_signals(data, s)]
    parts = [p for p in parts if not p.empty]
    if not parts:
        return _frame([])
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["school_code", "subject", "grade", "signal_code"]).reset_index(drop=True)


CONCLUSIONS = (_conclusion(True), _conclusion(False))


def _example(row) -> str:
    """The group and what was found, without the conclusion; what follows the conclusion (the estimate of
    raised works) stays."""
    found, after = row.verdict_ru, ""
    for c in CONCLUSIONS:
        if c in found:
            found, _, rest = found.partition(c)
            after = rest.removeprefix("; ").strip()
            break
    return f"{_group(row.subject, row.grade)} — {found}" + (f" ({after})" if after else "")


def pooled_z(assessed: pd.DataFrame, s: dict) -> dict[tuple[str, str], float]:
    """Per school × kind: all the school's assessed groups together, as Stouffer's z of their one-sided p-values,
    measured from the region's empirical null (Efron): the median and the interquartile spread of that z over the
    region's schools, the spread never below the theoretical 1. A weak inflation spread over every subject shows
    only here; the empirical null keeps the lasting differences between schools (a strong school is strong in
    every subject, so its groups are not independent) from passing for a sign. A kind with two judged signals
    (journal, gia) takes the larger z."""
    p = s["objectivity"]["rollup"]["pooled"]
    judged = assessed[assessed["p_value"].notna()]
    if judged.empty:
        return {}
    z = sps.norm.isf(judged["p_value"].astype(float).clip(1e-15, 1 - 1e-15))
    per = judged.assign(z=z).groupby(["signal_code", "school_code"])["z"].agg(["sum", "size"])
    per = per[per["size"] >= int(p["min_groups"])]
    out: dict[tuple[str, str], float] = {}
    for code, g in per.groupby(level="signal_code"):
        stouffer = g["sum"] / np.sqrt(g["size"])
        centre, spread = 0.0, 1.0
        if len(g) >= int(p["null_min_schools"]):
            q1, q3 = stouffer.quantile([0.25, 0.75])
            centre, spread = float(stouffer.median()), max(float(q3 - q1) / 1.349, 1.0)
        kind = SIGNALS[code][0]
        for (_, school), value in ((stouffer - centre) / spread).items():
            out[(school, kind)] = max(out.get((school, kind), -math.inf), float(value))
    return out


def verdicts(sig: pd.DataFrame, data: YearData, s: dict) -> pd.DataFrame:
    """One row per school × kind: groups assessed and flagged, whether the kind agrees, the evidence."""
    share = float(s["objectivity"]["rollup"]["min_share_of_groups"])
    min_groups = int(s["objectivity"]["rollup"]["min_groups"])
    by_kind = {k: int(v) for k, v in (s["objectivity"]["rollup"].get("min_groups_by_kind") or {}).items()}
    out_cols = columns("core.objectivity_verdict")
    assessed = sig[sig["assessed"].astype(bool)]
    groups = assessed.groupby(["school_code", "signal_kind", "subject", "grade"])["flagged"].any().reset_index()
    counts = groups.groupby(["school_code", "signal_kind"])["flagged"].agg(["size", "sum"])
    present = set(zip(sig["school_code"], sig["signal_kind"]))
    first_verdict = sig.drop_duplicates(["school_code", "signal_kind"]).set_index(
        ["school_code", "signal_kind"])["verdict_ru"]
    pooled, z_min = pooled_z(assessed, s), float(s["objectivity"]["rollup"]["pooled"]["z_min"])
    examples = {}
    flagged = assessed[assessed["flagged"].astype(bool)]
    top = flagged.sort_values("p_value").groupby(["school_code", "signal_kind"]).head(3)
    for r in top.itertuples(index=False):
        examples.setdefault((r.school_code, r.signal_kind), []).append(_example(r))
    rows = []
    for school in data.schools.index:
        for kind, kind_name in KINDS.items():
            key = (school, kind)
            if key not in present:
                note = ("предыдущий год не загружен" if kind == "jump" and not data.previous_loaded else
                        "нет данных для этого вида сигналов")
                rows.append((school, kind, kind_name, 0, 0, False, f"{kind_name}: {note}", None))
                continue
            n_assessed, n_flagged = (int(counts.at[key, "size"]), int(counts.at[key, "sum"])) if key in counts.index \
                else (0, 0)
            need = max(1, min(by_kind.get(kind, min_groups), n_assessed), math.ceil(share / 100 * n_assessed))
            z = pooled.get(key)
            by_groups, by_pool = n_assessed > 0 and n_flagged >= need, z is not None and z >= z_min
            if n_assessed == 0:
                evidence = f"{kind_name}: ни одна группа не оценена ({first_verdict[key]})"
            else:
                evidence = (f"{kind_name}: отмечено {n_flagged} из {fmt.count(n_assessed, 'группы', 'групп', 'групп')} "
                            f"(нужно не меньше {need})")
                if z is not None:
                    evidence += (f"; все группы вместе: z = {fmt.num(z, 1)} при пороге {fmt.num(z_min, 1)} "
                                 f"(от разброса между ОО региона){' — вид согласуется' if by_pool else ''}")
                if key in examples:
                    evidence += ": " + "; ".join(examples[key])
            rows.append((school, kind, kind_name, n_assessed, n_flagged, bool(by_groups or by_pool), evidence,
                         None if z is None else round(z, 3)))
    return pd.DataFrame(rows, columns=out_cols)


def school_verdict(ver: pd.DataFrame, s: dict) -> pd.DataFrame:
    """Per school: the agreeing kinds, suspected or not, and the evidence text."""
    need = int(s["objectivity"]["suspected_min_kinds"])
    alone = s["objectivity"]["rollup"]["pooled"].get("alone_z_by_kind") or {}
    out = []
    for school, g in ver.groupby("school_code", sort=True):
        agree = g[g["agrees"]]
        kinds = list(agree["signal_kind"])
        assessed = int((g["groups_assessed"] > 0).sum())
        # A kind that is a fingerprint of the manipulation itself suffices alone when all groups together say so.
        strong = [(r.kind_name_ru, r.pooled_z, alone[r.signal_kind]) for r in agree.itertuples()
                  if r.signal_kind in alone and not pd.isna(r.pooled_z) and r.pooled_z >= float(alone[r.signal_kind])]
        # Kinds resting on the same pair of results count once towards the verdict.
        enough_kinds = len({SAME_EVIDENCE.get(k, k) for k in kinds}) >= need
        suspected = enough_kinds or bool(strong)
        if suspected and not enough_kinds:
            name, z, thr = strong[0]
            text = (f"признаки необъективности: {name[0].lower() + name[1:]} — во всех группах вместе z = "
                    f"{fmt.num(z, 1)} при пороге {fmt.exact(float(thr))}, при котором одного этого вида достаточно"
                    " — " + " | ".join(agree["evidence_ru"]))
        elif suspected:
            text = (f"признаки необъективности: согласуются {fmt.count(len(kinds), 'вид', 'вида', 'видов')} "
                    f"сигналов из {assessed} оценённых — "
                    + " | ".join(agree["evidence_ru"]))
        elif kinds:
            same = (" (сравнения ВПР с ОГЭ и ОГЭ с ВПР опираются на одни и те же результаты и считаются за один "
                    "вид)" if {"oge", "gia"} <= set(kinds) else "")
            text = (f"согласуется {fmt.count(len(kinds), 'вид', 'вида', 'видов')} сигналов "
                    f"({', '.join(agree['kind_name_ru'])}) — недостаточно для вывода (нужно {need}{same}): "
                    + " | ".join(agree["evidence_ru"]))
        elif assessed:
            text = f"сигналы необъективности не согласуются (оценено видов: {assessed})"
        else:
            text = "нет данных ВПР для оценки объективности"
        out.append(dict(school_code=school, biased_kinds=kinds, kinds_assessed=assessed,
                        biased_results_suspected=suspected, biased_evidence_ru=text))
    return pd.DataFrame(out).set_index("school_code")
