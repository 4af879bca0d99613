import pandas as pd

from edu_quality.sources import cells


def s(*values):
    return pd.Series(list(values), dtype="string")


def test_numbers_with_decimal_comma_spaces_and_units():
    values, bad = cells.parse_number(s("34,5", "1 204", "1\u00a0204", "0,12 единиц", "12.5", "", "abc", "1,2,3"))
    assert values.tolist()[:5] == [34.5, 1204.0, 1204.0, 0.12, 12.5]
    assert values.isna().tolist()[5:] == [True, True, True]
    assert bad.tolist() == [False] * 5 + [False, True, True]


def test_integers_reject_fractions_and_text():
    values, bad = cells.parse_int(s("412", "7,0", "7,5", "", "12a", "99999999999999999999999"))
    assert values.tolist()[:2] == [412, 7]
    assert bad.tolist() == [False, False, True, False, True, True]


def test_task_scores_not_attempted_is_zero():
    values, bad = cells.parse_task_score(s("2", "X", "Х", "Н", "н", "3б"))
    assert values.tolist()[:5] == [2, 0, 0, 0, 0]
    assert bad.tolist() == [False, False, False, False, False, True]


def test_dates_both_formats_and_impossible_dates():
    values, bad = cells.parse_date(s("01.09.2015", "2016-09-01", "31.02.2020", "", "2020-01-01 00:00:00"))
    assert values.dt.strftime("%Y-%m-%d").tolist()[:2] == ["2015-09-01", "2016-09-01"]
    assert bad.tolist() == [False, False, True, False, False]


def test_booleans():
    values, bad = cells.parse_bool(s("да", "Нет", "", "может быть"))
    assert values.tolist()[:2] == [True, False]
    assert bad.tolist() == [False, False, False, True]


def test_count_share_cells():
    count, share, bad = cells.parse_count_share(s("125 человек / 34,5 %", "125/34.5%", "412", "34,5", "x/y"))
    assert count.tolist()[:4] == [125.0, 125.0, 412.0, 34.5]
    assert share.tolist()[:2] == [34.5, 34.5]
    assert share.isna().tolist()[2:4] == [True, True]
    assert bad.tolist() == [False, False, False, False, True]


# --- parsing each distinct text once gives exactly the parser's own results ---------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from pandas.testing import assert_series_equal  # noqa: E402

_CELL_TEXTS = ["1", "2", " 3", "X", "Н", "x", "", None, "12,5", "1 204", "1\u00a0204", "abc", "да", "нет",
               "5 человек / 34,5 %", "125/34.5%", "01.02.2024", "2024-02-01", "-3", "  ", "0,12 единиц", "1e5",
               "007", "٣", "٣,5", "99999999999999999999"]


def _same(a: pd.Series, b: pd.Series) -> None:
    if str(a.dtype) in ("bool", "boolean") and str(b.dtype) in ("bool", "boolean"):
        a, b = a.fillna(False).astype(bool), b.fillna(False).astype(bool)
    assert_series_equal(a, b, check_names=False)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_CELL_TEXTS) | st.text(max_size=6), max_size=80))
def test_by_distinct_equals_the_parser(values):
    raw = pd.Series(values, dtype="string", index=range(7, 7 + len(values)))
    pairs = [(cells.PARSERS[k], cells.DISTINCT_PARSERS[k]) for k in cells.PARSERS]
    pairs += [(cells.parse_task_score, cells.parse_task_score_distinct),
              (cells.parse_count_share, cells.parse_count_share_distinct)]
    for plain, distinct in pairs:
        for a, b in zip(plain(raw), distinct(raw)):
            _same(a, b)


def test_digits_of_other_scripts_are_flagged_not_emptied():
    # `\d` matches Arabic-Indic digits, which the numeric conversion cannot read: a filled cell must be flagged.
    for kind in ("int", "number"):
        values, bad = cells.parse(kind, pd.Series(["٣", "3"], dtype="string"))
        assert values.isna().tolist() == [True, False]
        assert bad.tolist() == [True, False]
