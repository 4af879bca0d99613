"""Effectiveness of measures: did the units that acted on a recommendation improve its target indicator
more than the units that did not (difference in differences)?

For the analysed year Y: recommendations of Y − 1 (core.recommendation) and measures recorded for Y
(core.measure, the measures.* of Y). For each level (school, municipality) and recommendation code:
  treated  — units recommended in Y − 1 that recorded at least one measure on it in Y marked done;
  set aside — units with a measure on it that is not done, or a measure without the recommendation;
  control  — every other unit of the level: no measure on this recommendation in Y.
Only units with the target indicator in both years count. The raw effect is
  DiD = mean(value_Y − value_Y−1 | treated) − mean(value_Y − value_Y−1 | control),
its standard error √(s²_T/n_T + s²_C/n_C).

The treated were chosen on the outcome itself (a recommendation goes to a unit whose indicator was bad),
and a unit chosen for a bad value tends to improve by itself (regression to the mean). So the judgement
compares like with like:
  recommended  — if at least two units got the same recommendation and did not act, they are the
                 comparison (chosen by the same rule on the same value): Welch's t on the changes;
  adjusted     — otherwise the comparison is every unit without a measure, and the change is regressed on
                 treatment and the Y − 1 value (ANCOVA), which takes out the part of the change the
                 starting value predicts: the effect is the treatment's coefficient, its t on n − 3 degrees
                 of freedom.
With two or three treated units the t distribution's critical values are large (about 4 at 2 degrees of
freedom), which is the honest answer: such an effect is rarely significant. An improvement is an effect
in the indicator's good direction with a two-sided p below `alpha`.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as sps
from sqlalchemy import text
from sqlalchemy.engine import Connection

from edu_quality import formatting as fmt

from .tables import columns

LEVEL_OF_MEASURE = {"ОО": "school", "МО": "municipality"}
COLUMNS = columns("core.measure_effect")


def targets(s: dict, conditions: dict[str, dict] | None) -> dict[str, str]:
    """Recommendation code → target indicator. From the recommendations catalogue's conditions (code → `when`,
    given by the caller: the catalogue is a later stage): the indicator of a rule on an indicator, the first
    catalogue indicator of the risk factor of a rule on a risk factor; then settings.yaml
    (measure_effects.targets) adds codes and overrides."""
    factor_indicator = {}
    for f in s["risk_profile"]["factors"]:
        first = next((m["indicator"] for m in f.get("metrics") or [] if "indicator" in m), None)
        if first:
            factor_indicator[f["code"]] = first
    found = {}
    for code, when in (conditions or {}).items():
        if when.get("indicator"):
            found[code] = when["indicator"]
        elif when.get("risk_factor") in factor_indicator:
            found[code] = factor_indicator[when["risk_factor"]]
    found.update(s["measure_effects"].get("targets") or {})
    return found


def _read(conn: Connection, year: int):
    recs = pd.DataFrame(conn.execute(text(
        "select level, unit_code, recommendation_code from core.recommendation where year = :y"),
        {"y": year - 1}).fetchall(), columns=["level", "unit_code", "recommendation_code"])
    meas = pd.DataFrame(conn.execute(text(
        "select level, unit_code, recommendation_code, bool_or(done) as done from core.measure where year = :y "
        "group by 1, 2, 3"), {"y": year}).fetchall(), columns=["level", "unit_code", "recommendation_code", "done"])
    meas["level"] = meas["level"].map(LEVEL_OF_MEASURE)
    values = pd.DataFrame(conn.execute(text(
        "select v.year, v.level, v.unit_code, v.indicator_code, v.value, i.polarity "
        "from core.indicator_value v join core.indicator i using (indicator_code) "
        "where v.year in (:y - 1, :y) and v.level in ('school', 'municipality') and v.value is not null"),
        {"y": year}).fetchall(), columns=["year", "level", "unit_code", "indicator_code", "value", "polarity"])
    values["value"] = values["value"].astype(float)
    units = {
        "school": set(r[0] for r in conn.execute(text("select school_code from core.school where year = :y"),
                                                 {"y": year})),
        "municipality": set(r[0] for r in conn.execute(text(
            "select municipality_code from core.municipality where year = :y"), {"y": year})),
    }
    return recs, meas, values, units


def _mean(x: pd.Series):
    return float(x.mean()) if len(x) else None


def _welch(ct: pd.Series, cc: pd.Series) -> tuple[float, float, float, float] | None:
    """(difference of means, its standard error, t, Welch–Satterthwaite degrees of freedom), or None with
    fewer than two units in a group or no spread."""
    if len(ct) < 2 or len(cc) < 2:
        return None
    vt, vc = ct.var(ddof=1) / len(ct), cc.var(ddof=1) / len(cc)
    se = float(np.sqrt(vt + vc))
    if se == 0:
        return None
    df = (vt + vc) ** 2 / (vt ** 2 / (len(ct) - 1) + vc ** 2 / (len(cc) - 1))
    diff = float(ct.mean() - cc.mean())
    return diff, se, diff / se, float(df)


def _ancova(change: pd.Series, before: pd.Series, treated: pd.Index) -> tuple[float, float, float, float] | None:
    """change = a + β·treated + γ·before by least squares: (β, its standard error, t, n − 3), or None when
    there are no degrees of freedom left or the design is singular."""
    n = len(change)
    if n - 3 < 1:
        return None
    t = change.index.isin(treated).astype(float)
    X = np.column_stack([np.ones(n), t, before.loc[change.index].to_numpy(float)])
    y = change.to_numpy(float)
    if np.linalg.matrix_rank(X) < 3:
        return None
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    resid = y - X @ beta
    sigma2 = float(resid @ resid) / (n - 3)
    var = sigma2 * np.linalg.inv(X.T @ X)[1, 1]
    if var <= 0:
        return None
    se = float(np.sqrt(var))
    return float(beta[1]), se, float(beta[1]) / se, float(n - 3)


def _judge(polarity: str | None, estimate: float, t: float, df: float, alpha: float) -> tuple:
    """(two-sided p, improvement, the judgement in Russian)."""
    p = float(2 * sps.t.sf(abs(t), df))
    good = (estimate < 0) if polarity == "lower_better" else (estimate > 0) if polarity == "higher_better" else None
    if good is None:
        return p, None, "у показателя нет желательного направления"
    significant = p < alpha
    judged = (f"{'в желательную сторону' if good else 'в нежелательную сторону'}, "
              f"{'значим' if significant else 'не значим'} (t = {fmt.num(t, 2)}, степеней свободы: "
              f"{fmt.num(df, 0 if float(df).is_integer() else 1)}, "
              f"{'p < 0,001' if p < 0.001 else 'p = ' + fmt.num(p, 3)} при пороге {fmt.num(alpha, 2)})")
    return p, bool(good and significant), judged


def _effect(base: dict, indicator: str, year: int, values: pd.DataFrame, treated: set, control: set, aside: set,
            alpha: float, recommended_only: set) -> dict:
    """The row of one recommendation code at one level whose target indicator is known."""
    v = values[(values["level"] == base["level"]) & (values["indicator_code"] == indicator)]
    polarity = v["polarity"].iloc[0] if len(v) else None
    wide = v.pivot_table(index="unit_code", columns="year", values="value")
    if year - 1 not in wide or year not in wide:
        return {**base, "treated_units": 0, "control_units": 0,
                "verdict_ru": f"нет значений показателя {indicator} за оба года"}
    wide = wide.dropna(subset=[year - 1, year])
    change = wide[year] - wide[year - 1]
    t = wide.index.intersection(sorted(treated))
    c = wide.index.intersection(sorted(control))
    ct, cc = change[t], change[c]
    row = {**base, "treated_units": len(t), "control_units": len(c),
           "treated_before": _mean(wide.loc[t, year - 1]), "treated_after": _mean(wide.loc[t, year]),
           "control_before": _mean(wide.loc[c, year - 1]), "control_after": _mean(wide.loc[c, year]),
           "treated_change": _mean(ct), "control_change": _mean(cc)}
    if len(t) == 0 or len(c) == 0:
        who = "нет принявших меры" if len(t) == 0 else "нет группы сравнения"
        return {**row, "verdict_ru": f"эффект не оценивается: {who} (со значениями показателя за оба года)"
                + (f"; отложено {len(aside)} (мера не исполнена или без рекомендации)" if aside else "")}
    did = float(ct.mean() - cc.mean())
    raw = _welch(ct, cc)
    row = {**row, "did": did, "se": raw[1] if raw else None}
    head = (f"{indicator}: у принявших меры ({len(t)}) изменение {fmt.num(ct.mean(), 2)}, у группы сравнения "
            f"({len(c)}) {fmt.num(cc.mean(), 2)}; разность разностей {fmt.num(did, 2)}")
    def judged(comparison: str, found: tuple, how: str, what: str) -> dict:
        estimate, _, tt, df = found
        p, improvement, judgement = _judge(polarity, estimate, tt, df, alpha)
        return {**row, "comparison": comparison, "estimate": estimate, "t_stat": tt, "df": df, "p_value": p,
                "improvement": improvement, "verdict_ru": f"{head}. {how}: {what} {fmt.num(estimate, 2)} — {judgement}"}

    # Like with like: the units that got the same recommendation and did not act, when there are two.
    r = wide.index.intersection(sorted(recommended_only))
    same = _welch(ct, change[r]) if len(r) >= 2 else None
    if same is not None:
        return judged("recommended", same, f"Сравнение с получившими ту же рекомендацию и не принявшими мер ({len(r)})",
                      "разность")
    adjusted = _ancova(change[t.append(c)], wide[year - 1], t)
    if adjusted is None:
        return {**row, "comparison": "none", "verdict_ru":
                f"{head} — значимость оценить нельзя: единиц слишком мало для поправки на исходный уровень "
                f"(регрессия к среднему)"}
    return judged("adjusted", adjusted, f"С поправкой на значение {year - 1} года (меры получали единицы с худшими "
                  "значениями, а они улучшаются и сами — регрессия к среднему)", "эффект")


def effects(conn: Connection, year: int, s: dict, conditions: dict[str, dict] | None = None) -> pd.DataFrame:
    recs, meas, values, units = _read(conn, year)
    target = targets(s, conditions)
    alpha = float(s["measure_effects"]["alpha"])
    rows = []
    for level in ("school", "municipality"):
        codes = sorted(set(recs.loc[recs["level"] == level, "recommendation_code"]))
        for code in codes:
            indicator = target.get(code)
            recommended = set(recs.loc[(recs["level"] == level) & (recs["recommendation_code"] == code), "unit_code"])
            m = meas[(meas["level"] == level) & (meas["recommendation_code"] == code)]
            with_measure = set(m["unit_code"])
            treated = recommended & set(m.loc[m["done"].astype(bool), "unit_code"])
            aside = with_measure - treated
            control = units[level] - with_measure
            base = dict(level=level, recommendation_code=code, indicator_code=indicator or "",
                        recommendation_year=year - 1)
            if indicator is None:
                rows.append({**base, "treated_units": len(treated), "control_units": len(control),
                             "verdict_ru": "целевой показатель рекомендации не задан (settings.yaml, measure_effects."
                                           "targets, или каталог рекомендаций)"})
                continue
            rows.append(_effect(base, indicator, year, values, treated, control, aside, alpha,
                                recommended - with_measure))
    return pd.DataFrame(rows, columns=COLUMNS)
