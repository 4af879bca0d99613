"""Objectivity of ВПР: signals per school × subject × grade, and the school's verdict.

Five kinds of signals, each from a different source of evidence, so that two of them agreeing is not
the same fact counted twice:
  journal   ВПР marks against the school's own journal marks (few lowered, many far apart);
  boundary  primary scores heaped just at the mark boundaries (lenient checking);
  context   a quality share far above what the school's social context predicts;
  oge       ВПР quality far above what the same subject's ОГЭ quality predicts (ОГЭ is supervised);
  jump      a quality share far above what last year's predicts.
The last three compare the school with a least-squares model over the region's schools (model_z).
A signal needs both a large deviation (the threshold) and a small chance of arising by sampling (p < α;
for `context` the threshold is itself a z).
A group below the minimum size gets no verdict. A kind agrees for a school when it is flagged in a
given share of the school's assessed groups; a school is suspected when enough kinds agree.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from edu_quality import formatting as fmt

from .data import YearData
from .stats import binom_lower_p, binom_upper_p, normal_upper_p, ols_residuals
from .tables import columns

KINDS = {
    "journal": "Сравнение с отметками по журналу",
    "boundary": "Пики первичных баллов у границ отметок",
    "context": "Результат выше ожидаемого по социальному контексту",
    "oge": "Расхождение ВПР и ОГЭ по предмету",
    "jump": "Скачок результатов к прошлому году",
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
}
# School types that select or teach differently: the context model gives each group its own level.
SELECTIVE_TYPES = ("гимназия", "лицей", "СОШ с УИОП")
SPECIAL_TYPES = ("вечерняя школа", "школа-интернат")
CONTEXT_FIELDS = ("low_income_pct", "non_native_pct", "disability_pct", "rural")
INSUFFICIENT = "недостаточно участников"
# The stored columns, and whether the group had enough data for a verdict (counts the school's assessed groups).
COLUMNS = [*columns("core.objectivity_signal"), "assessed"]


def _group(subject: str, grade: int) -> str:
    return f"{subject}, {int(grade)} кл."


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
    verdict = []
    for w, win, ok, sh, r, val, fl in zip(works, window, enough, share, p0 * 100, value, flag):
        if w < min_n:
            verdict.append(f"{INSUFFICIENT} ({w} работ при минимуме {min_n})")
        elif not ok:
            verdict.append(f"мало работ около границ отметок ({int(win)} при минимуме {min_window}) — вывода нет")
        else:
            verdict.append(f"у границ отметок {fmt.value(sh, '%')} работ окна (регион {fmt.value(r, '%')}), в "
                           f"{fmt.num(val, 2)} раза выше региона при пороге {fmt.num(ratio_min, 2)}" + _conclusion(fl))
    return _rows(f, "boundary_peak", "boundary", value, ratio_min, flag, works, share, p0 * 100, p, verdict, enough)


def context_design(schools: pd.DataFrame) -> pd.DataFrame:
    """The context covariates of the model: social fields (missing → the region's median), rural, and
    the school-type groups that select or teach differently."""
    X = schools[list(CONTEXT_FIELDS)].astype(float).copy()
    X = X.fillna(X.median())
    X["selective"] = schools["school_type"].isin(SELECTIVE_TYPES).astype(float)
    X["special"] = schools["school_type"].isin(SPECIAL_TYPES).astype(float)
    return X.fillna(0.0)


def model_z(share: np.ndarray, works: np.ndarray, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A school's share (%) against what a least-squares model over the region's schools expects.
    Returns (z, expected): z divides the residual by √(τ² + the school's own sampling variance), τ² being
    the between-school variance left after sampling, max(0, Σresidual²/dof − mean sampling variance).
    So a small school needs a larger deviation, and the spread of real schools is not mistaken for
    sampling noise (cohorts and classes differ from year to year)."""
    resid, fitted = ols_residuals(share, X)
    p = np.clip(share / 100, 0.5 / works, 1 - 0.5 / works)
    sampling = p * (1 - p) / works * 1e4
    dof = max(len(share) - X.shape[1] - 1, 1)
    tau2 = max(0.0, float((resid ** 2).sum() / dof - sampling.mean()))
    return resid / np.sqrt(tau2 + sampling), fitted


def _model_rows(frame: pd.DataFrame, X: np.ndarray, s: dict, signal: str, kind: str, threshold: float,
                measure, describe, use_alpha: bool = True) -> list[dict]:
    """Signals of one subject × grade from model_z. `frame`: school_code, subject, grade, works, share (%),
    enough (bool), not_enough (the verdict when not enough) and what `describe` needs.
    value = measure(share, expected, z); the signal is past its threshold when value ≥ threshold, and is
    flagged when, besides, p = P(Z ≥ z) < α (unless use_alpha is off: then z itself is the threshold)."""
    g = s["general"]
    alpha, min_schools = float(g["alpha"]), int(g["min_schools_model"])
    ok = frame[frame["enough"]]
    model = len(ok) >= min_schools
    z_by, exp_by = {}, {}
    if model:
        z, expected = model_z(ok["share"].to_numpy(float), ok["works"].to_numpy(float), X)
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
                f"{fmt.num(z, 1)} σ при пороге {fmt.num(z_min, 1)} σ")

    rows = []
    for _, grp in v.groupby(["subject", "grade"]):
        f = grp.assign(share=grp["marks_4_5"] / grp["works"] * 100, enough=grp["works"] >= min_n,
                       not_enough=[f"{INSUFFICIENT} ({int(w)} работ при минимуме {min_n})" for w in grp["works"]])
        X = design.loc[f.loc[f["enough"], "school_code"]].to_numpy()
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


def signals(data: YearData, s: dict) -> pd.DataFrame:
    parts = [journal_signals(data, s), boundary_signals(data, s), context_signals(data, s),
             oge_signals(data, s), jump_signals(data, s)]
    parts = [p for p in parts if not p.empty]
    if not parts:
        return _frame([])
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["school_code", "subject", "grade", "signal_code"]).reset_index(drop=True)


def _example(row) -> str:
    return f"{_group(row.subject, row.grade)} — {row.verdict_ru.split(' — ')[0]}"


def verdicts(sig: pd.DataFrame, data: YearData, s: dict) -> pd.DataFrame:
    """One row per school × kind: groups assessed and flagged, whether the kind agrees, the evidence."""
    share = float(s["objectivity"]["rollup"]["min_share_of_groups"])
    min_groups = int(s["objectivity"]["rollup"]["min_groups"])
    out_cols = columns("core.objectivity_verdict")
    assessed = sig[sig["assessed"].astype(bool)]
    groups = assessed.groupby(["school_code", "signal_kind", "subject", "grade"])["flagged"].any().reset_index()
    counts = groups.groupby(["school_code", "signal_kind"])["flagged"].agg(["size", "sum"])
    present = set(zip(sig["school_code"], sig["signal_kind"]))
    first_verdict = sig.drop_duplicates(["school_code", "signal_kind"]).set_index(
        ["school_code", "signal_kind"])["verdict_ru"]
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
                rows.append((school, kind, kind_name, 0, 0, False, f"{kind_name}: {note}"))
                continue
            n_assessed, n_flagged = (int(counts.at[key, "size"]), int(counts.at[key, "sum"])) if key in counts.index \
                else (0, 0)
            need = max(1, min(min_groups, n_assessed), math.ceil(share / 100 * n_assessed))
            agrees = n_assessed > 0 and n_flagged >= need
            if n_assessed == 0:
                evidence = f"{kind_name}: ни одна группа не оценена ({first_verdict[key]})"
            else:
                evidence = (f"{kind_name}: отмечено {n_flagged} из {fmt.count(n_assessed, 'группы', 'групп', 'групп')} "
                            f"(нужно не меньше {need})")
                if key in examples:
                    evidence += ": " + "; ".join(examples[key])
            rows.append((school, kind, kind_name, n_assessed, n_flagged, bool(agrees), evidence))
    return pd.DataFrame(rows, columns=out_cols)


def school_verdict(ver: pd.DataFrame, s: dict) -> pd.DataFrame:
    """Per school: the agreeing kinds, suspected or not, and the evidence text."""
    need = int(s["objectivity"]["suspected_min_kinds"])
    out = []
    for school, g in ver.groupby("school_code", sort=True):
        agree = g[g["agrees"]]
        kinds = list(agree["signal_kind"])
        assessed = int((g["groups_assessed"] > 0).sum())
        suspected = len(kinds) >= need
        if suspected:
            text = (f"признаки необъективности: согласуются {fmt.count(len(kinds), 'вид', 'вида', 'видов')} "
                    f"сигналов из {assessed} оценённых — "
                    + " | ".join(agree["evidence_ru"]))
        elif kinds:
            text = (f"согласуется {fmt.count(len(kinds), 'вид', 'вида', 'видов')} сигналов "
                    f"({', '.join(agree['kind_name_ru'])}) — недостаточно для вывода (нужно {need}): "
                    + " | ".join(agree["evidence_ru"]))
        elif assessed:
            text = f"сигналы необъективности не согласуются (оценено видов: {assessed})"
        else:
            text = "нет данных ВПР для оценки объективности"
        out.append(dict(school_code=school, biased_kinds=kinds, kinds_assessed=assessed,
                        biased_results_suspected=suspected, biased_evidence_ru=text))
    return pd.DataFrame(out).set_index("school_code")
