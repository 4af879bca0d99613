"""Effectiveness of measures: did the units that acted on a recommendation improve its target indicator
more than the units that did not (difference in differences)?

For the analysed year Y: recommendations of Y − 1 (core.recommendation) and measures recorded for Y
(core.measure, the measures.* of Y). For each level (school, municipality) and recommendation code:
  treated  — units recommended in Y − 1 that recorded at least one measure on it in Y marked done;
  set aside — units with a measure on it that is not done, or a measure without the recommendation;
  control  — every other unit of the level: no measure on this recommendation in Y.
Only units with the target indicator in both years count. The effect is
  DiD = mean(value_Y − value_Y−1 | treated) − mean(value_Y − value_Y−1 | control),
its standard error √(s²_T/n_T + s²_C/n_C); an improvement is a DiD in the indicator's good direction
larger than `min_se` standard errors.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
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


def _judge(ct: pd.Series, cc: pd.Series, polarity: str | None, min_se: float) -> tuple:
    """(DiD, its standard error, improvement, the judgement in Russian) of the treated and control changes."""
    did = float(ct.mean() - cc.mean())
    var_t = ct.var(ddof=1) if len(ct) > 1 else np.nan
    var_c = cc.var(ddof=1) if len(cc) > 1 else np.nan
    se = float(np.sqrt(var_t / len(ct) + var_c / len(cc))) if not (pd.isna(var_t) or pd.isna(var_c)) else None
    good = (did < 0) if polarity == "lower_better" else (did > 0) if polarity == "higher_better" else None
    if good is None or se is None:
        improvement = None
        judged = ("стандартную ошибку оценить нельзя (в группе меньше двух единиц)" if se is None
                  else "у показателя нет желательного направления")
    else:
        improvement = bool(good and abs(did) > min_se * se) if se > 0 else bool(good)
        judged = (f"эффект {'в желательную сторону' if good else 'в нежелательную сторону'}, "
                  f"{'значим' if abs(did) > min_se * se else 'не значим'} ({fmt.num(abs(did) / se, 1) if se else '∞'} "
                  f"стандартной ошибки при пороге {fmt.num(min_se, 1)})")
    return did, se, improvement, judged


def _effect(base: dict, indicator: str, year: int, values: pd.DataFrame, treated: set, control: set, aside: set,
            min_se: float) -> dict:
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
    did, se, improvement, judged = _judge(ct, cc, polarity, min_se)
    verdict = (f"{indicator}: у принявших меры ({len(t)}) изменение {fmt.num(ct.mean(), 2)}, у группы сравнения "
               f"({len(c)}) {fmt.num(cc.mean(), 2)}; разность разностей {fmt.num(did, 2)} — {judged}")
    return {**row, "did": did, "se": se, "improvement": improvement, "verdict_ru": verdict}


def effects(conn: Connection, year: int, s: dict, conditions: dict[str, dict] | None = None) -> pd.DataFrame:
    recs, meas, values, units = _read(conn, year)
    target = targets(s, conditions)
    min_se = float(s["measure_effects"]["min_se"])
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
            rows.append(_effect(base, indicator, year, values, treated, control, aside, min_se))
    return pd.DataFrame(rows, columns=COLUMNS)
