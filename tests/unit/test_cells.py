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
