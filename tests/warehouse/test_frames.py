"""read_frame: a query's rows through COPY, typed as the analysis expects them (warehouse/frames.py)."""
from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest
from sqlalchemy import text

from edu_quality.warehouse.frames import read_frame

ROWS = """
select * from (values
    (1, 10::bigint, 2.5::numeric, true, 'OO1', 'NA'),
    (2, null, null, false, 'OO1', 'None'),
    (3, 30, 1e-7, null, null, 'школа «Ромашка», 2')
) v(n, count, share, flag, code, name)
where n <= :last
"""


def test_columns_come_typed_and_no_text_is_read_as_missing(warehouse):
    with warehouse.connect() as conn:
        frame = read_frame(conn, ROWS, last=3)
    assert frame["n"].dtype == "int64" and frame["n"].tolist() == [1, 2, 3]
    assert frame["count"].dtype == float and frame["count"].isna().tolist() == [False, True, False]
    assert frame["share"].dtype == float and frame["share"].tolist()[0] == 2.5
    assert not any(isinstance(v, Decimal) for v in frame["share"])
    assert frame["share"].tolist()[2] == 1e-7
    assert frame["flag"].tolist() == [True, False, None]
    assert frame["name"].tolist() == ["NA", "None", "школа «Ромашка», 2"]
    assert frame["code"].tolist()[:2] == ["OO1", "OO1"] and pd.isna(frame["code"].tolist()[2])
    # one object per distinct string, not one per row
    assert frame["code"].tolist()[0] is frame["code"].tolist()[1]


def test_the_parameters_are_bound_by_the_driver(warehouse):
    with warehouse.connect() as conn:
        assert read_frame(conn, ROWS, last=1)["n"].tolist() == [1]
        quoted = read_frame(conn, "select :v as v, 2 = any(:xs) as found", v="it's; drop table x --", xs=[1, 2])
    assert quoted["v"].tolist() == ["it's; drop table x --"] and quoted["found"].tolist() == [True]


def test_no_rows_give_the_columns_and_other_types_keep_the_cursors_values(warehouse):
    with warehouse.connect() as conn:
        empty = read_frame(conn, ROWS, last=0)
        mixed = read_frame(conn, "select 1 as n, '{\"a\": 1}'::jsonb as doc, date '2025-05-01' as day")
        cursor = pd.DataFrame(conn.execute(text("select 1 as n, '{\"a\": 1}'::jsonb as doc")).fetchall())
    assert list(empty.columns) == ["n", "count", "share", "flag", "code", "name"] and empty.empty
    assert mixed["doc"].tolist() == [{"a": 1}] and str(mixed["day"].tolist()[0]) == "2025-05-01"
    assert cursor.iloc[0, 1] == {"a": 1}


def test_empty_text_one_null_column_and_the_parameters_checked_as_execute_checks_them(warehouse):
    with warehouse.connect() as conn:
        texts = read_frame(conn, "select * from (values (1, ''), (2, null)) v(n, t) order by n")
        single = read_frame(conn, "select t from (values (1, 'a'), (2, null), (3, 'b')) v(n, t) order by n")
        extra = read_frame(conn, "select :a as a", a=1, unused=2)
        with pytest.raises(KeyError, match="needs parameters"):
            read_frame(conn, "select :a as a, :b as b", a=1)
    assert texts["t"].tolist()[0] == "" and pd.isna(texts["t"].tolist()[1])
    assert len(single) == 3 and single["t"].tolist()[0] == "a" and pd.isna(single["t"].tolist()[1])
    assert extra["a"].tolist() == [1]
