"""The municipalities' score, worked by hand: equal-weight mean of signed z; the settings may leave the
ВПР-based components out, and the share of the score from ВПР is stated."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from edu_quality.analysis.municipalities import _vpr_share, rating

TABLE = pd.DataFrame({"vpr_share_mark_2": [10.0, 20.0, 30.0], "oge_share_marks_4_5": [50.0, 40.0, 60.0]},
                     index=["MO1", "MO2", "MO3"])
POLARITY = {"vpr_share_mark_2": "lower_better", "oge_share_marks_4_5": "higher_better"}
VPR = {"vpr_share_mark_2": True, "oge_share_marks_4_5": False}
SD = math.sqrt(200 / 3)  # both columns: values mean ± 10, population standard deviation √(200/3)


def test_the_score_is_the_mean_of_signed_z():
    score, z, used = rating(TABLE, POLARITY)
    assert used == ["vpr_share_mark_2", "oge_share_marks_4_5"]
    assert z.at["MO1", "vpr_share_mark_2"] == pytest.approx(10 / SD)      # fewest «2»: better, positive
    assert z.at["MO1", "oge_share_marks_4_5"] == pytest.approx(0.0)
    assert score["MO1"] == pytest.approx(5 / SD) and score["MO3"] == pytest.approx(0.0)
    assert _vpr_share(z.loc["MO1", used], VPR) == pytest.approx(50.0)


def test_leaving_vpr_out_scores_on_the_rest_and_keeps_the_vpr_z_for_the_tables():
    score, z, used = rating(TABLE, POLARITY, leave_out={"vpr_share_mark_2"})
    assert used == ["oge_share_marks_4_5"] and "vpr_share_mark_2" in z
    assert score["MO3"] == pytest.approx(10 / SD) and score["MO2"] == pytest.approx(-10 / SD)
    assert _vpr_share(z.loc["MO3", used], VPR) == 0.0
