"""Every DAG imports, and carries an owner, tags and retries (the telemetry-airflow rule)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

DAGS = Path(__file__).resolve().parents[1] / "dags"


@pytest.fixture(scope="module")
def dagbag(home):
    import os

    os.environ.setdefault("AIRFLOW_HOME", str(home / "airflow"))
    os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
    from airflow.models.dagbag import DagBag

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
