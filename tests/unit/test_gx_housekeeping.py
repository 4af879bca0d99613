"""GX housekeeping: however many validations run, each suite keeps its last KEEP_RESULTS_PER_SUITE results,
and Data Docs holds a page for those only."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from edu_quality.validation import gx_runner
from edu_quality.validation.gx_runner import KEEP_RESULTS_PER_SUITE, SuiteRunner


def _frame() -> pd.DataFrame:
    frame = pd.DataFrame({"_row": [2, 3], "year": [2025.0, 2025.0], "subject": ["Химия", "Химия"],
                          "grade": [8.0, 8.0], "max_score": [30.0, 30.0], "min_score_3": [9.0, 9.0],
                          "min_score_4": [18.0, 18.0], "min_score_5": [27.0, 27.0], "task_0": [1.0, 2.0]})
    for name in ("year", "grade", "max_score", "min_score_3", "min_score_4", "min_score_5"):
        frame[f"{name}__bad"] = None
    for name in ("_repeat", "_bounds_order", "_year_mismatch", "_extra"):
        frame[name] = None
    return frame


def _task(maximum: int) -> list[dict]:  # a task column of its own maximum: a suite of its own
    return [{"type": "expect_column_values_to_be_between",
             "kwargs": {"column": "task_0", "min_value": 0, "max_value": maximum},
             "meta": {"rule": "task_score_out_of_range", "column": "1"}}]


def _per_suite(folder: Path, pattern: str) -> dict[str, int]:
    return {d.name: len(list(d.glob(pattern))) for d in sorted(folder.iterdir()) if d.is_dir()}


def test_only_the_last_results_of_each_suite_remain(tmp_path):
    assert KEEP_RESULTS_PER_SUITE == 10  # the number the README states
    runner = SuiteRunner(root=tmp_path / "gx", data_docs=False)
    frame = _frame()
    for _ in range(KEEP_RESULTS_PER_SUITE + 3):
        runner.validate("vpr_scales", frame, _task(5))
    runner.validate("vpr_scales", frame, _task(7))
    results = Path(runner.context.root_directory) / "uncommitted" / "validations"
    kept = _per_suite(results, "*/*/*.json")
    assert sorted(kept.values()) == [1, KEEP_RESULTS_PER_SUITE], kept

    docs = SuiteRunner(root=tmp_path / "gx", data_docs=True)
    assert docs.build_data_docs()
    pages = Path(docs.context.root_directory) / "uncommitted" / "data_docs" / "local_site" / "validations"
    assert _per_suite(pages, "*/*/*.html") == kept  # one page per kept result, none for removed ones
    # The pages are the newest results' pages.
    for suite in kept:
        newest = sorted(p.parent.name for p in (results / suite).glob("*/*/*.json"))
        assert sorted(p.parent.name for p in (pages / suite).glob("*/*/*.html")) == newest


def test_a_smaller_limit_prunes_at_once(tmp_path):
    runner = SuiteRunner(root=tmp_path / "gx", data_docs=False, keep=2)
    for _ in range(4):
        runner.validate("vpr_scales", _frame(), _task(5))
    results = Path(runner.context.root_directory) / "uncommitted" / "validations"
    assert list(_per_suite(results, "*/*/*.json").values()) == [2]
    assert gx_runner.KEEP_RESULTS_PER_SUITE == 10
