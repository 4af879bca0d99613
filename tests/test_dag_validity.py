"""Every DAG imports, and carries an owner, tags and retries (the telemetry-airflow rule)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

DAGS = Path(__file__).resolve().parents[1] / "dags"


@pytest.fixture(scope="module")
def dagbag(home):
    """The DAG folder as Airflow's DagBag reads it; AIRFLOW_HOME and the examples setting only while it reads
    (the modules after this one start their own Airflow in the product's home)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AIRFLOW_HOME", str(home / "airflow-dagbag"))
        mp.setenv("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
        from airflow.dag_processing.dagbag import DagBag

        return DagBag(dag_folder=str(DAGS))


def test_dags_import_without_errors(dagbag):
    assert dagbag.import_errors == {}
    assert "annual_monitoring_cycle" in dagbag.dags


def test_every_dag_has_owner_tags_retries(dagbag):
    for dag_id, dag in dagbag.dags.items():
        assert dag.tags, f"{dag_id} has no tags"
        assert dag.doc_md, f"{dag_id} has no documentation"
        for task in dag.tasks:
            assert task.owner and task.owner != "airflow", f"{dag_id}.{task.task_id} has no owner"
            assert task.retries >= 1, f"{dag_id}.{task.task_id} has no retries"


def test_dag_files_do_not_import_each_other():
    names = {p.stem for p in DAGS.glob("*.py")}
    for path in DAGS.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            modules = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for module in modules:
                assert module.split(".")[0] not in names, f"{path.name} imports DAG file {module}"


def test_no_dag_evaluates_the_day_at_parse_time():
    """A parse-time `date.today()` (or `datetime.now()`) in a DAG file gives the DAG a new version every
    day and a default nobody chose: the day belongs to the run (its logical date), resolved in a task."""
    for path in sorted(DAGS.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        tasks = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)
                 and any(getattr(d, "id", getattr(getattr(d, "func", None), "id", None)) == "task"
                         or getattr(d, "attr", None) == "task" for d in n.decorator_list)]
        inside = {id(x) for t in tasks for x in ast.walk(t)} | {
            id(x) for f in ast.walk(tree) if isinstance(f, ast.FunctionDef) and f.name.startswith("_")
            for x in ast.walk(f)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr in ("today", "now", "utcnow") and id(node) not in inside:
                raise AssertionError(f"{path.name}:{node.lineno} evaluates {node.func.attr}() when the DAG is parsed")


def test_annual_cycle_documents_date_defaults_to_the_runs_day(dagbag):
    assert dagbag.dags["annual_monitoring_cycle"].params["issued_on"] is None


_PARSE_ONE = """
import importlib.util, sys
spec = importlib.util.spec_from_file_location("dag_under_test", sys.argv[1])
spec.loader.exec_module(importlib.util.module_from_spec(spec))
heavy = sorted(m for m in ("pandas", "numpy", "great_expectations", "reportlab", "scipy") if m in sys.modules)
print("HEAVY=" + ",".join(heavy))
"""


@pytest.mark.parametrize("path", sorted(DAGS.glob("*.py")), ids=lambda p: p.name)
def test_dag_files_import_no_pandas_when_parsed(path, home):
    """The DAG processor parses every file often: pandas, numpy, GX, ReportLab belong in tasks only."""
    import os
    import subprocess
    import sys

    root = DAGS.parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root / "plugins"), str(root)]),
           "AIRFLOW_HOME": str(home / "airflow-parse"), "AIRFLOW__CORE__LOAD_EXAMPLES": "False"}
    done = subprocess.run([sys.executable, "-c", _PARSE_ONE, str(path)], env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    heavy = [line for line in done.stdout.splitlines() if line.startswith("HEAVY=")]
    assert heavy == ["HEAVY="], f"{path.name} imports {heavy} when parsed"


def test_dags_use_the_task_sdk_exceptions_and_no_email_arguments():
    """Airflow 3 idioms: exceptions from airflow.sdk.exceptions (airflow.exceptions' are deprecated aliases),
    failures reported by a notifier, not the deprecated email/email_on_failure task arguments."""
    sources = {p: p.read_text(encoding="utf-8") for p in [*DAGS.glob("*.py"), *(DAGS.parent / "plugins").rglob("*.py")]}
    for path, source in sources.items():
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ImportFrom) and node.module == "airflow.exceptions":
                raise AssertionError(f"{path.name}:{node.lineno} imports from airflow.exceptions")
    from edu_quality.orchestration.defaults import DEFAULT_ARGS

    assert not {"email", "email_on_failure", "email_on_retry"} & set(DEFAULT_ARGS)


def test_every_task_reports_failures_through_the_notifier(dagbag):
    from airflow.sdk import BaseNotifier

    from edu_quality.orchestration.defaults import FailureNotifier

    for dag_id, dag in dagbag.dags.items():
        for task in dag.tasks:
            callbacks = task.on_failure_callback
            callbacks = callbacks if isinstance(callbacks, list) else [callbacks]
            assert any(isinstance(c, FailureNotifier) for c in callbacks), f"{dag_id}.{task.task_id}"
            assert all(isinstance(c, BaseNotifier) for c in callbacks), f"{dag_id}.{task.task_id}"
            assert not task.email, f"{dag_id}.{task.task_id}"  # no deprecated e-mail on the task itself
