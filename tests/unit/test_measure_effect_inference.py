"""Measures' effect compared like with like (analysis/measure_effects.py), on a hand-made case.

Schools, vpr_share_mark_2 (lower is better) 2018 → 2019:
  T1 30 → 20 (−10), T2 25 → 19 (−6)               recommended, acted              → treated
  R1 28 → 24 (−4),  R2 26 → 24 (−2), R3 27 → 27 (0) recommended, no measure         → like with like
  C1 12 → 13 (+1),  C2 15 → 14 (−1)               not recommended, no measure     → the rest
Three units got the same recommendation and did not act, so they are the comparison (chosen by the same
rule on the same value): Welch's t on the changes. Treated mean −8, variance 8; comparison mean −2,
variance 4. Difference −6; se = √(8/2 + 4/3) = √(16/3); t = −6/√(16/3) ≈ −2,598;
df = (16/3)² / (4²/1 + (4/3)²/2) = 256/152 ≈ 1,684.
"""
from __future__ import annotations

import math

import pandas as pd
import pytest
from scipy import stats

from edu_quality.analysis.measure_effects import _effect

VALUES = {"T1": (30, 20), "T2": (25, 19), "R1": (28, 24), "R2": (26, 24), "R3": (27, 27), "C1": (12, 13),
          "C2": (15, 14)}


def _values() -> pd.DataFrame:
    rows = [(year, "school", unit, "vpr_share_mark_2", v, "lower_better")
            for unit, pair in VALUES.items() for year, v in zip((2018, 2019), pair)]
    return pd.DataFrame(rows, columns=["year", "level", "unit_code", "indicator_code", "value", "polarity"])


def test_the_comparison_is_the_recommended_who_did_not_act():
    base = dict(level="school", recommendation_code="R-LOW-01", indicator_code="vpr_share_mark_2",
                recommendation_year=2018)
    row = _effect(base, "vpr_share_mark_2", 2019, _values(), treated={"T1", "T2"},
                  control={"R1", "R2", "R3", "C1", "C2"}, aside=set(), alpha=0.05,
                  recommended_only={"R1", "R2", "R3"})
    assert row["comparison"] == "recommended"
    assert row["estimate"] == pytest.approx(-6.0)
    assert row["t_stat"] == pytest.approx(-6 / math.sqrt(16 / 3))
    assert row["df"] == pytest.approx(256 / 152)
    assert row["p_value"] == pytest.approx(2 * stats.t.sf(6 / math.sqrt(16 / 3), 256 / 152))
    # In the good direction, but with 2 and 3 units a t of 2,6 is far from significant.
    assert row["p_value"] > 0.1 and row["improvement"] is False
    assert "получившими ту же рекомендацию и не принявшими мер (3)" in row["verdict_ru"]
    assert "в желательную сторону, не значим" in row["verdict_ru"]
    # The raw difference in differences against every school without a measure is still reported.
    assert row["did"] == pytest.approx(-8 - (-4 - 2 + 0 + 1 - 1) / 5)


def test_a_large_clear_effect_is_significant():
    """Twelve treated that each fell by 10 ± 1 against twelve recommended who stayed at 0 ± 1."""
    values, treated, same = [], set(), set()
    for i in range(12):
        d = (-1) ** i
        values += [(2018, "school", f"T{i}", "x", 30.0, "lower_better"),
                   (2019, "school", f"T{i}", "x", 20.0 + d, "lower_better"),
                   (2018, "school", f"R{i}", "x", 30.0, "lower_better"),
                   (2019, "school", f"R{i}", "x", 30.0 + d, "lower_better")]
        treated.add(f"T{i}")
        same.add(f"R{i}")
    frame = pd.DataFrame(values, columns=["year", "level", "unit_code", "indicator_code", "value", "polarity"])
    row = _effect(dict(level="school", recommendation_code="R", indicator_code="x", recommendation_year=2018), "x",
                  2019, frame, treated=treated, control=same, aside=set(), alpha=0.05, recommended_only=same)
    assert row["comparison"] == "recommended" and row["estimate"] == pytest.approx(-10.0)
    assert row["p_value"] < 1e-6 and row["improvement"] is True
