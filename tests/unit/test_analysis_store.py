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


class _Capture:
    """A connection that keeps the text COPY is given."""

    def __init__(self):
        self.copied, self.connection = [], self
        self.dbapi_connection = self

    def execute(self, *args):
        pass

    def cursor(self):
        return self

    def copy_expert(self, sql, buffer):
        self.copied.append(buffer.getvalue())


def test_rows_written_chunk_by_chunk_are_the_rows_written_at_once(monkeypatch):
    from edu_quality.analysis import store

    frame = pd.DataFrame({"a": [1.5, np.nan, 3.0, 4.25, 5.0, 6.0, 7.5], "b": list("абвгдеж"), "c": [True, False] * 3
                          + [True]})
    whole, chunked = _Capture(), _Capture()
    store.replace_year(whole, "t", 2025, frame, ["a", "b", "c"])
    monkeypatch.setattr(store, "CHUNK_ROWS", 3)
    store.replace_year(chunked, "t", 2025, frame, ["a", "b", "c"])
    assert chunked.copied == whole.copied
    assert whole.copied[0].splitlines() == ["2025,1.5,а,true", r"2025,\N,б,false", "2025,3,в,true",
                                            "2025,4.25,г,false", "2025,5,д,true", "2025,6,е,false", "2025,7.5,ж,true"]
