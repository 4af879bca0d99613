"""The task-level statistic (analysis/objectivity.task_frame) on a hand-made test of three tasks.

Task maxima are the most any work scored: t1 1, t2 2, t3 2. Points of 10 works per school:
           t1     t2     t3
  A        9/10   10/20  4/20     success 90 %, 50 %, 20 %
  B        5/10   10/20  16/20    success 50 %, 50 %, 80 %
Region: t1 14/20 = 70 % (easy), t2 20/40 = 50 %, t3 20/40 = 50 % — t2 and t3 tie; the first by task
order counts as harder (t2), so hard = t2, easy = t1 with band_share 1/3 (one task each).
A: hard − easy = 50 − 90 = −40 p. p.; B: 50 − 50 = 0 — B does the region's hard task as well as its easy one.
Overall: A (9 + 10 + 4)/(10 + 20 + 20) = 46 %, B (5 + 10 + 16)/50 = 62 %.
Sampling variance of B's difference: 0,5·0,5/10 + 0,5·0,5/10 = 0,05 → 500 (%²).
"""
from __future__ import annotations

import pandas as pd
import pytest

from edu_quality.analysis.objectivity import task_frame

ROWS = [("A", "t1", 9, 1), ("A", "t2", 10, 2), ("A", "t3", 4, 2),
        ("B", "t1", 5, 1), ("B", "t2", 10, 2), ("B", "t3", 16, 2)]


def test_hard_minus_easy_per_school():
    tasks = pd.DataFrame([(s, "Математика", 5, t, 10, p, m) for s, t, p, m in ROWS],
                         columns=["school_code", "subject", "grade", "task", "works", "points", "max_points"])
    f = task_frame(tasks, 1 / 3).set_index("school_code")
    assert f.at["A", "easy"] == pytest.approx(90) and f.at["A", "hard"] == pytest.approx(50)
    assert f.at["A", "share"] == pytest.approx(-40) and f.at["B", "share"] == pytest.approx(0)
    assert f.at["A", "overall"] == pytest.approx(46) and f.at["B", "overall"] == pytest.approx(62)
    assert f.at["B", "sampling"] == pytest.approx(500)
    # A follows the region's difficulty (ρ = 1 over tasks ranked 70, 50, 50 with ties), B does not.
    assert f.at["A", "rho"] > 0.8 and f.at["B", "rho"] < 0
