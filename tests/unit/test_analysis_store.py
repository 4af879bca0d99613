"""The analysis writes its results column by column (analysis/store.py): each cell as _cell writes it on its own."""
from __future__ import annotations

import numpy as np
import pandas as pd

from edu_quality.analysis.store import _cell, _column


def test_a_column_at_once_writes_what_each_cell_alone_writes():
    rng = np.random.default_rng(5)
    floats = np.concatenate([rng.normal(0, 1e3, 200), [np.nan, np.inf, -np.inf, 3.0, -0.0, 1e17, 0.1 + 0.2]])
    n = len(floats)
    frame = pd.DataFrame({
        "f": floats,
        "i": rng.integers(-10**12, 10**12, n),
        "b": rng.random(n) > 0.5,
        "o": [None, {"a": "б"}, ["x", "y"], "текст, с «кавычками»", 1.5, True, np.int64(3), pd.NA] * 25 + [None] * 7,
        "na": pd.array([1, None] * 103 + [2], dtype="Int64"),
        "s": pd.array(["a", None] * 103 + ["c"], dtype="string"),
        "t": pd.to_datetime(["2025-01-01", None] * 103 + ["2026-02-01"]),
    })
    by_cell = [[_cell(v) for v in row] for row in frame.itertuples(index=False, name=None)]
    by_column = [list(row) for row in zip(*(_column(frame[c]) for c in frame.columns))]
    assert by_column == by_cell
