"""The statistics and text helpers on their own (no warehouse)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from edu_quality import formatting as fmt
from edu_quality.analysis.clusters import choose_k
from edu_quality.analysis.objectivity import model_z
from edu_quality.analysis.settings import SettingsError, load_settings, validate
from edu_quality.analysis.stats import kmeans, percentile_rank, silhouette


def test_percentile_rank_mid_ranks_and_polarity():
    v = pd.Series([10.0, 20.0, 20.0, 40.0, np.nan], index=list("abcde"))
    up = percentile_rank(v)
    assert up["a"] == 0 and up["d"] == 100 and up["b"] == up["c"] == pytest.approx(50)
    assert np.isnan(up["e"])
    down = percentile_rank(v, higher_better=False)
    assert down["a"] == 100 and down["d"] == 0


def _blobs(seed: int = 0):
    rng = np.random.default_rng(seed)
    centres = np.array([[0, 0], [6, 0], [0, 6]])
    X = np.vstack([c + rng.normal(0, 0.5, size=(30, 2)) for c in centres])
    return X, np.repeat([0, 1, 2], 30)


def test_kmeans_finds_separated_groups_and_is_deterministic():
    X, truth = _blobs()
    labels, centres, _ = kmeans(X, 3, seed=7, n_init=5)
    again, _, _ = kmeans(X, 3, seed=7, n_init=5)
    assert np.array_equal(labels, again)
    # Each true group lands in one cluster.
    for g in range(3):
        assert len(set(labels[truth == g])) == 1
    best = choose_k(X, 2, 5, seed=7, n_init=5, max_iter=100)
    assert best[1] == 3


def test_silhouette_matches_the_definition():
    X, truth = _blobs(1)
    X = X[::7]
    labels = truth[::7]
    d = np.sqrt(((X[:, None] - X[None]) ** 2).sum(-1))
    s = []
    for i in range(len(X)):
        own = (labels == labels[i]) & (np.arange(len(X)) != i)
        a = d[i, own].mean()
        b = min(d[i, labels == k].mean() for k in set(labels) if k != labels[i])
        s.append((b - a) / max(a, b))
    assert silhouette(X, labels) == pytest.approx(np.mean(s))
    # Taken a few rows at a time (as for a country's schools), the same value.
    assert silhouette(X, labels, block=3 * len(X)) == pytest.approx(np.mean(s))
    assert silhouette(X, labels, block=1) == pytest.approx(np.mean(s))


def test_model_z_separates_an_outlier_from_noise():
    rng = np.random.default_rng(3)
    x = rng.uniform(20, 80, 60)
    works = np.full(60, 40.0)
    y = np.clip(x + rng.normal(0, 5, 60), 1, 99)
    y[0] = min(99, x[0] + 40)
    z, expected = model_z(y, works, x[:, None])
    assert z[0] > 3 and np.abs(z[1:]).max() < 3.5


def test_russian_numbers():
    assert fmt.value(23.14, "%") == "23,1 %"
    assert fmt.value(-0.04, "п. п.") == "0,0 п. п."
    assert fmt.value(-1.5, "п. п.") == "−1,5 п. п."
    assert fmt.value(None, "%") == "нет данных"
    assert fmt.value(0.071, "ед.") == "0,07 ед."
    assert fmt.count(3, "вид", "вида", "видов") == "3 вида" and fmt.count(11, "вид", "вида", "видов") == "11 видов"
    assert fmt.lower_first("Доля отметок «2» по ВПР") == "доля отметок «2» по ВПР"
    assert fmt.lower_first("ВПР") == "ВПР"


def test_settings_are_checked():
    s = load_settings()
    broken = {**s, "risk_profile": {"factors": [{"code": "X", "name_ru": "x", "metrics": [
        {"indicator": "a", "school": "b", "risk_when": "high", "percentile": 90}]}]}}
    with pytest.raises(SettingsError):
        validate(broken)
    with pytest.raises(SettingsError):
        validate({k: v for k, v in s.items() if k != "objectivity"})


def _year_data(values: dict, localities: dict):
    """A YearData with only ВПР indicator values: {year: {school: (share 4–5, share 2)}}."""
    from edu_quality.analysis.data import YearData

    rows = []
    for year, by_school in values.items():
        for school, (q, two) in by_school.items():
            rows += [(year, "school", school, "vpr_share_marks_4_5", q, q, 100.0),
                     (year, "school", school, "vpr_share_mark_2", two, two, 100.0)]
    iv = pd.DataFrame(rows, columns=["year", "level", "unit_code", "indicator_code", "value", "numerator",
                                     "denominator"])
    schools = pd.DataFrame({"locality": localities}).rename_axis("school_code")
    catalogue = pd.DataFrame({"polarity": ["higher_better", "lower_better"], "unit": ["%", "%"],
                              "name_ru": ["качество", "доля «2»"]},
                             index=pd.Index(["vpr_share_marks_4_5", "vpr_share_mark_2"], name="indicator_code"))
    empty = pd.DataFrame()
    return YearData(year=max(values), schools=schools, vpr=empty, vpr_previous=empty, boundaries=empty, oge=empty,
                    gve=empty, ovz_specialists=pd.Series(dtype=float), recommendations_covered=empty, indicators=iv,
                    catalogue=catalogue)


def test_successful_practices():
    from edu_quality.analysis.practices import practices

    s = load_settings()
    # A climbs from last to first over three years; C climbs too but its results are suspect; B is a rural
    # school far above what its context predicts.
    values = {2011: {"A": (30, 20), "B": (70, 5), "C": (31, 19), "D": (60, 8), "E": (50, 10)},
              2012: {"A": (55, 10), "B": (70, 5), "C": (56, 9), "D": (60, 8), "E": (50, 10)},
              2013: {"A": (80, 2), "B": (70, 5), "C": (81, 1), "D": (60, 8), "E": (50, 10)}}
    localities = {"A": "городская", "B": "сельская", "C": "городская", "D": "городская", "E": "городская"}
    data = _year_data(values, localities)
    status = pd.DataFrame({
        "results_score": [90.0, 60.0, 100.0, 40.0, 10.0],
        "context_residual_z": [0.5, 1.4, 0.3, 0.0, -1.0],
        "unfavorable_conditions": [False, False, False, False, False],
        "biased_kinds": [[], [], ["journal", "jump"], [], []],
    }, index=pd.Index(list("ABCDE"), name="school_code"))
    found = practices(data, s, status)
    assert sorted(zip(found["school_code"], found["practice_code"])) == [("A", "P2"), ("B", "P1")]
    # A in 2012: quality 55 is 2nd of 5 → 25; share of «2» 10 ties with E for 4th–5th (mid-rank 4,5) → 87,5,
    # turned → 12,5; mean 18,75. In 2013: 4th of 5 on both → 75.
    assert "2011: 0,0 → 2012: 18,8 → 2013: 75,0" in found.set_index("school_code").at["A", "evidence_ru"]
