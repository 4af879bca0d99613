"""ВПР task columns differ per file; two expectations of the reviewed suite check all of them, and each
failure still names the exact header (a row with two bad cells gets two failures)."""
from __future__ import annotations

import json

import pandas as pd

from edu_quality.config import PATHS
from edu_quality.sources.contract import TASK_SCORE_OUT_OF_RANGE
from edu_quality.sources.files import inspect, iter_chunks
from edu_quality.sources.registry import source_by_name
from edu_quality.validation.frame import Context
from edu_quality.validation.gx_runner import SuiteRunner, group_failures
from edu_quality.validation.prepare import prepare

HEADER = ("Муниципалитет;ОО;Название ОО;Предмет;Параллель;Класс;Код участника;Вариант;"
          "1 (2б);2К1 (1б);2К2 (3б);Первичный балл;Отметка;Отметка по журналу")
ROWS = [
    "Город;A1;Школа;Математика;5;5А;P1;1;2;1;3;6;4;4",        # 2: good
    "Город;A1;Школа;Математика;5;5А;P2;1;abc;1;9;10;5;5",     # 3: «1» unreadable, «2К2» over its 3 points
    "Город;A1;Школа;Математика;5;5А;P3;1;3;2;0;5;4;4",        # 4: «1» and «2К1» over their maxima
    "Город;A1;Школа;Математика;5;5А;P4;1;X;Н;1;1;2;",         # 5: good (X and Н count 0)
]


def _failures(tmp_path):
    path = tmp_path / "vpr_math5.csv"
    path.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    source = source_by_name("vpr")
    shape = inspect(path, source)
    scales = pd.DataFrame({"subject": ["Математика"], "grade": [5], "max_score": [20], "min_score_3": [4],
                           "min_score_4": [6], "min_score_5": [9]})
    prepared = prepare(next(iter_chunks(shape)), shape, source, Context(year=2025, school_codes=["A1"],
                                                                        references={"vpr_scales": scales}))
    runner = SuiteRunner(root=tmp_path / "gx", data_docs=False)
    failures, summary = runner.validate("vpr", prepared.frame, prepared.extra_expectations)
    return group_failures(failures), summary


def test_each_failing_task_header_is_named(tmp_path):
    by_row, summary = _failures(tmp_path)
    found = {row: sorted((f.column, f.rule) for f in items) for row, items in by_row.items()}
    assert found.get(3, [])[:2] == [("1 (2б)", "bad_type"), ("2К2 (3б)", TASK_SCORE_OUT_OF_RANGE)], found
    assert [f for f in found[4] if f[1] == TASK_SCORE_OUT_OF_RANGE] == [
        ("1 (2б)", TASK_SCORE_OUT_OF_RANGE), ("2К1 (1б)", TASK_SCORE_OUT_OF_RANGE)], found
    assert 2 not in found and 5 not in found, found
    # The reviewed suite, not one expectation per task column: the count does not depend on the file.
    suite = json.loads((PATHS.expectations / "vpr.json").read_text(encoding="utf-8"))
    assert summary["expectations"] == len(suite["expectations"])


def test_a_suite_reading_a_missing_column_is_refused(tmp_path):
    # GX reports some expectations on an absent column as passed; the runner must not validate half a suite.
    runner = SuiteRunner(root=tmp_path / "gx", data_docs=False)
    frame = pd.DataFrame({"_row": [2], "year": [2025.0]})
    try:
        runner.validate("vpr_scales", frame)
    except RuntimeError as exc:
        assert "lacks" in str(exc) and "subject" in str(exc)
    else:
        raise AssertionError("a frame without the suite's columns was validated")
