"""Tasks that validate at the same time share one GX project: none may read its config half-written."""
from __future__ import annotations

import multiprocessing as mp
from pathlib import Path

import pandas as pd


def _validate(root: str, column_max: int, queue) -> None:
    try:
        from edu_quality.validation.gx_runner import SuiteRunner

        runner = SuiteRunner(root=Path(root), data_docs=False)
        # A task column of its own maximum: a new suite each process must register.
        extra = [{"type": "expect_column_values_to_be_between",
                  "kwargs": {"column": "task_0", "min_value": 0, "max_value": column_max},
                  "meta": {"rule": "task_score_out_of_range", "column": "1"}}]
        frame = pd.DataFrame({"_row": [2, 3], "year": [2025.0, 2025.0], "subject": ["Химия", "Химия"],
                              "grade": [8.0, 8.0], "max_score": [30.0, 30.0], "min_score_3": [9.0, 9.0],
                              "min_score_4": [18.0, 18.0], "min_score_5": [27.0, 27.0],
                              "task_0": [0.0, column_max + 1.0]})
        for name in ("year", "grade", "max_score", "min_score_3", "min_score_4", "min_score_5"):
            frame[f"{name}__bad"] = None
        frame["_repeat"] = None
        frame["_bounds_order"] = None
        frame["_year_mismatch"] = None
        frame["_extra"] = None
        failures, _ = runner.validate("vpr_scales", frame, extra)
        queue.put(("ok", sorted({(f.row_number, f.rule) for f in failures})))
    except BaseException as exc:  # reported to the parent, which fails the test with it
        queue.put(("error", repr(exc)))


def test_concurrent_runners_register_and_validate(tmp_path):
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_validate, args=(str(tmp_path / "gx"), m, queue)) for m in range(1, 9)]
    for p in procs:
        p.start()
    results = [queue.get(timeout=300) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    assert all(kind == "ok" for kind, _ in results), results
    # Each found exactly its planted out-of-range task score.
    assert all((3, "task_score_out_of_range") in found for _, found in results), results
