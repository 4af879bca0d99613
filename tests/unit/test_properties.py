"""Property-based tests (hypothesis) for the cell parsers and the text-file reader."""
from __future__ import annotations

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edu_quality.sources import cells
from edu_quality.sources.contract import VPR_SCALES
from edu_quality.sources.files import inspect, iter_chunks


def _russian_number(value: int, decimals: int, separator: str) -> str:
    whole = f"{abs(value):,}".replace(",", separator)
    return ("-" if value < 0 else "") + whole + ("," + "5" * decimals if decimals else "")


@given(st.integers(min_value=-10**9, max_value=10**9), st.sampled_from([" ", "\u00a0", "\u202f", ""]))
def test_integers_with_any_thousands_separator(value, separator):
    parsed, bad = cells.parse_int(pd.Series([_russian_number(value, 0, separator)], dtype="string"))
    assert not bad.iloc[0] and parsed.iloc[0] == value


@given(st.integers(min_value=0, max_value=10**7), st.integers(min_value=1, max_value=3),
       st.sampled_from([" ", "\u00a0", ""]))
def test_decimal_comma_numbers(value, decimals, separator):
    text = _russian_number(value, decimals, separator)
    parsed, bad = cells.parse_number(pd.Series([text], dtype="string"))
    assert not bad.iloc[0]
    assert abs(parsed.iloc[0] - float(f"{value}.{'5' * decimals}")) < 1e-6


@given(st.text(max_size=30))
def test_parsers_never_raise_and_flag_what_they_cannot_read(text):
    series = pd.Series([text], dtype="string")
    blank = bool(cells.blank(series).iloc[0])
    for parse in (cells.parse_int, cells.parse_number, cells.parse_date, cells.parse_bool):
        values, bad = parse(series)
        missing, flagged = bool(pd.isna(values.iloc[0])), bool(bad.iloc[0])
        if blank:
            assert missing and not flagged, parse.__name__
        else:
            assert missing == flagged, parse.__name__  # a filled cell is either read or flagged, never lost


_cell = st.text(alphabet=st.sampled_from(list("абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВЯ0123456789 .,;\"'-«»")),
                max_size=12).map(str.strip)


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(_cell, min_size=7, max_size=7), min_size=1, max_size=8),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1251"]), delimiter=st.sampled_from([";", ",", "\t"]))
def test_text_files_read_back_cell_for_cell(tmp_path, rows, encoding, delimiter):
    rows = [r for r in rows if any(r)]  # a row of empty cells is a blank line, skipped by design
    header = [c.header for c in VPR_SCALES.columns]

    def quote(v: str) -> str:
        return '"' + v.replace('"', '""') + '"' if any(ch in v for ch in (delimiter, '"', "\n")) else v

    text = "\n".join(delimiter.join(quote(v) for v in row) for row in [header, *rows]) + "\n"
    path = tmp_path / "vpr_scales.csv"
    path.write_bytes(text.encode(encoding))
    shape = inspect(path, VPR_SCALES)
    assert shape.delimiter == delimiter
    frames = list(iter_chunks(shape))
    got = [list(r) for f in frames for r in f[[f"c{i}" for i in range(7)]].fillna("").itertuples(index=False)]
    assert got == rows
    numbers = [n for f in frames for n in f["_row"].tolist()]
    assert numbers == list(range(2, 2 + len(rows)))
