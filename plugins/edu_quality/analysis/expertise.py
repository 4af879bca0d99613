"""The municipalities for the in-depth expertise (Irkutsk regulation §1.6) and each municipality's own risk
profile.

Where the region's motivating monitoring of municipal authorities (municipal_monitoring.*) is given, the
selection rests on it: a municipality's result is the sum of its scores over the sum of the maximum scores
(× 100), the lowest are chosen (as many as settings' expert_review allows); the rating on the product's own
indicators is reported beside it as a second, named signal. Without the file the selection is the rating on
the product's indicators, and says so.
"""
from __future__ import annotations

import pandas as pd

from edu_quality import formatting as fmt

from .tables import columns

BASIS_MONITORING, BASIS_PRODUCT = "municipal_monitoring", "product_indicators"
PRODUCT_RU = "рейтинг по показателям, рассчитанным продуктом по загруженным данным"
MONITORING_RU = "мотивирующего мониторинга деятельности МОУО (municipal_monitoring.*)"


def monitoring_percent(monitoring: pd.DataFrame) -> pd.Series:
    """Σ value / Σ maximum score × 100 per municipality."""
    if monitoring.empty:
        return pd.Series(dtype=float)
    g = monitoring.groupby("municipality_code")[["value", "max_score"]].sum()
    return (g["value"] / g["max_score"] * 100).astype(float)


def _place(score: pd.Series, m: str) -> tuple[int | None, int]:
    known = score.dropna()
    if m not in known.index:
        return None, len(known)
    return int(known.rank(ascending=False, method="min")[m]), len(known)


def expertise(monitoring: pd.DataFrame, score: pd.Series, select) -> tuple[pd.DataFrame, set[str]]:
    """Per municipality: the basis, both signals and the reason (core.municipality_expertise); the chosen."""
    percent = monitoring_percent(monitoring)
    basis = BASIS_MONITORING if len(percent) else BASIS_PRODUCT
    chosen = select(percent.reindex(score.index)) if basis == BASIS_MONITORING else select(score)
    counts = monitoring.groupby("municipality_code").size() if len(monitoring) else pd.Series(dtype=int)
    rows = []
    for m in score.index:
        p_rank, p_n = _place(score, m)
        m_rank, m_n = _place(percent, m)
        product = (f"рейтинговый балл {fmt.num(score[m], 2)}, место {p_rank} из {p_n}" if p_rank
                   else "рейтинговый балл не рассчитан")
        if basis == BASIS_MONITORING:
            own = (f"{fmt.num(percent[m], 1)} % от максимального балла, место {m_rank} из {m_n}" if m_rank
                   else "МО нет в файле мониторинга")
            head = "отобрано по результатам" if m in chosen else "не отобрано по результатам"
            reason = f"{head} {MONITORING_RU}: {own}; второй сигнал — {PRODUCT_RU}: {product}"
        else:
            head = "отобрано" if m in chosen else "не отобрано"
            reason = (f"{head} по показателям продукта ({PRODUCT_RU}): {product}; мотивирующий мониторинг "
                      "деятельности МОУО (municipal_monitoring.*) не представлен")
        rows.append(dict(municipality_code=m, basis=basis, monitoring_percent=percent.get(m),
                         monitoring_rank=m_rank, monitoring_indicators=int(counts.get(m, 0)),
                         product_score=score.get(m), product_rank=p_rank, selected=m in chosen, reason_ru=reason))
    return pd.DataFrame(rows, columns=columns("core.municipality_expertise")), chosen


def _shares(status: pd.DataFrame, risk: pd.DataFrame, heads: pd.DataFrame, s: dict) -> pd.DataFrame:
    """Per school, 1/0 (or missing) for each sign of the municipal risk profile."""
    cfg = s["municipal_risk_profile"]
    at_risk = risk[risk["at_risk"] == True].groupby("school_code").size()  # noqa: E712
    deficits = heads[heads["deficit"] == True].groupby("school_code").size()  # noqa: E712
    staffing = risk[risk["risk_factor_code"] == cfg["staffing_factor"]].set_index("school_code")["at_risk"]
    out = pd.DataFrame(index=status.index)
    out["MR1"] = (at_risk.reindex(status.index).fillna(0) >= int(cfg["school_min_factors"])).astype(float)
    out["MR2"] = status["low_results"].map(lambda v: None if v is None or pd.isna(v) else float(bool(v)))
    out["MR3"] = status["biased_results_suspected"].astype(float)
    scored = heads[heads["score"].notna()].groupby("school_code").size().reindex(status.index)
    out["MR4"] = (deficits.reindex(status.index).fillna(0) >= int(cfg["head_min_deficits"])).astype(float) \
        .where(scored.notna())
    out["MR5"] = staffing.reindex(status.index).map(lambda v: None if v is None or pd.isna(v) else float(bool(v)))
    return out.astype(float)


RISK_NAMES = {
    "MR1": "Доля ОО в зоне риска (факторов риска в зоне риска не меньше {school_min_factors})",
    "MR2": "Доля ОО с низкими результатами",
    "MR3": "Доля ОО с признаками необъективности результатов",
    "MR4": ("Доля руководителей ОО с профессиональными дефицитами (направлений с дефицитом не меньше "
            "{head_min_deficits})"),
    "MR5": "Доля ОО с дефицитом педагогических кадров (фактор {staffing_factor})",
}


def municipal_risk(status: pd.DataFrame, risk: pd.DataFrame, heads: pd.DataFrame, s: dict) -> pd.DataFrame:
    """core.municipality_risk_factor: per municipality and sign, the share of its schools, the region's, and
    whether it is at risk (share above the region's and at least `ratio` times it)."""
    cfg = s["municipal_risk_profile"]
    ratio = float(cfg["ratio"])
    signs = _shares(status, risk, heads, s)
    signs["municipality_code"] = status["municipality_code"]
    region = signs.drop(columns="municipality_code").mean() * 100
    rows = []
    for m, part in signs.groupby("municipality_code"):
        for code in RISK_NAMES:
            known = part[code].dropna()
            value = float(known.mean() * 100) if len(known) else None
            reg = float(region[code]) if not pd.isna(region[code]) else None
            at_risk = None if value is None or reg is None else bool(value > reg and value >= ratio * reg)
            evidence = ("нет данных" if value is None else
                        f"{fmt.num(value, 1)} % ОО МО ({int(known.sum())} из {len(known)}) при "
                        f"{fmt.num(reg, 1)} % по региону" + (f" — в {fmt.num(ratio, 1)} раза и более выше региона"
                                                              if at_risk else ""))
            rows.append(dict(municipality_code=m, risk_factor_code=code, risk_factor_name_ru=RISK_NAMES[code].format(
                **cfg), value=value, region_value=reg, at_risk=at_risk, evidence_ru=evidence))
    return pd.DataFrame(rows, columns=columns("core.municipality_risk_factor"))


def apply_expertise(ms: pd.DataFrame, exp: pd.DataFrame) -> pd.DataFrame:
    """mart.municipality_status says what the expertise chose and why; on the product's own indicators its
    reason keeps the indicators furthest behind."""
    ms = ms.copy()
    by = exp.set_index("municipality_code")
    for m in ms.index:
        if m not in by.index:
            continue
        row = by.loc[m]
        detail = ms.at[m, "expert_review_reason_ru"]
        keep = row["basis"] == BASIS_PRODUCT and row["selected"] and "наибольшее отставание" in detail
        ms.at[m, "expert_review_selected"] = bool(row["selected"])
        ms.at[m, "expert_review_reason_ru"] = row["reason_ru"] + (
            "; наибольшее отставание" + detail.split("наибольшее отставание", 1)[1] if keep else "")
    return ms
