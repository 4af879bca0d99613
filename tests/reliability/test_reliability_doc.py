"""docs/reliability.md states figures and names files: they are checked here against the code, the
hostile corpus and the fault tests, so the document cannot drift from what is really tested."""
from __future__ import annotations

import re

from edu_quality.config import PATHS

from ..e2e.test_campaign_page_auth import OUT_OF_RANGE_YEARS, REFUSED
from .test_kill import KILLS

DOC = PATHS.root / "docs" / "reliability.md"
CALL = re.compile(r"""failpoint\(["']([\w.]+)["']\)""")


def _figure(text: str, label: str) -> int:
    m = re.search(rf"- {re.escape(label)}: \*\*(\d+)\*\*", text)
    assert m, f"docs/reliability.md: no figure «{label}»"
    return int(m.group(1))


def _failpoints_in_code() -> set[str]:
    found = set()
    for path in (PATHS.plugins / "edu_quality").rglob("*.py"):
        if path.name != "faults.py":
            found |= set(CALL.findall(path.read_text(encoding="utf-8")))
    return found


def test_figures_are_those_of_the_code_and_the_tests():
    text = DOC.read_text(encoding="utf-8")
    points = _failpoints_in_code()
    assert _figure(text, "failpoints in the code") == len(points)
    # Each failpoint is documented, listed in faults.py, and killed for real by a test.
    faults_doc = (PATHS.plugins / "edu_quality" / "faults.py").read_text(encoding="utf-8")
    for name in points:
        assert f"| `{name}` |" in text and f"  {name} " in faults_doc, name
    assert {k.split(":")[0].split("@")[0] for k in KILLS} == points
    assert _figure(text, "real `SIGKILL`s injected and survived") == len(KILLS)
    hostile = [p for p in (PATHS.root / "tests" / "hostile" / "files").iterdir() if p.is_file()]
    assert _figure(text, "hostile files tried") == len(hostile)


def test_the_access_and_housekeeping_figures_are_those_of_the_tests():
    from edu_quality.validation.gx_runner import KEEP_RESULTS_PER_SUITE

    text = DOC.read_text(encoding="utf-8")
    assert _figure(text, "requests to the campaign page refused by the api-server") == len(REFUSED)
    assert _figure(text, "anonymous requests answered with the page") == 0
    assert _figure(text, "years out of range answered 422, not 500") == len(OUT_OF_RANGE_YEARS)
    assert all(f"`{y}`" in text for y in OUT_OF_RANGE_YEARS)
    assert _figure(text, "validation results kept per suite") == KEEP_RESULTS_PER_SUITE


def test_the_hostile_input_and_output_figures_are_those_of_the_tests():
    from edu_quality.pipeline.inbox import InboxFile  # noqa: F401  (the statuses below are its)
    from edu_quality.pipeline.steps import FORMULA_STARTS

    from ..hostile.test_hostile_outputs import FRAGMENTS
    from ..unit.test_document_paths import test_a_path_shaped_code_becomes_one_component_inside_the_year as paths

    text = DOC.read_text(encoding="utf-8")
    assert _figure(text, "hostile name fragments carried through every output") == len(FRAGMENTS)
    assert _figure(text, "formula starts defused in the CSV lists") == len(FORMULA_STARTS)
    migration = (PATHS.root / "sql" / "migrations" / "011_inbox_files.sql").read_text(encoding="utf-8")
    statuses = re.search(r"status in \(([^)]*)\)", migration)[1].count("'") // 2
    assert _figure(text, "kinds of inbox file accounted for") == statuses
    codes = next(m.args[1] for m in paths.pytestmark if m.name == "parametrize")
    assert _figure(text, "path-shaped codes kept inside the year's output folder") == len(codes)


def test_every_test_file_named_exists():
    text = DOC.read_text(encoding="utf-8")
    named = set(re.findall(r"tests/[\w/]+\.py", text))
    assert len(named) >= 8
    for name in sorted(named):
        assert (PATHS.root / name).is_file(), name
