"""Packaging: pyproject.toml declares what the product imports (runtime) and what the tests and CI use (the
`dev` extra); requirements.txt pins every declared name at a version its specifier allows; the image installs
the project; `make test` lints before it tests."""
from __future__ import annotations

import ast
import re
import sys
import tomllib
from functools import cache
from importlib.metadata import packages_distributions
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PRODUCT = [ROOT / "plugins" / "edu_quality", ROOT / "plugins" / "campaign_status_plugin.py", ROOT / "dags",
           ROOT / "sample_region"]
FIRST_PARTY = {"edu_quality", "sample_region", "bench", "tests", "campaign_status_plugin"}
# Declared, needed at run time, never imported by name: why each is there.
NOT_IMPORTED = {
    "asyncpg": "Airflow's async engine on a PostgreSQL metadata DB (docker-compose, make celery-demo)",
    "apache-airflow-providers-celery": "the CeleryExecutor, loaded by Airflow from its configuration",
    "pymorphy3-dicts-ru": "the Russian dictionary pymorphy3 loads (documents/declension.py)",
    "pyphen": "the Russian hyphenation ReportLab loads for narrow table columns (documents/pdf.py: hyphenationLang)",
    "rl-accel": "ReportLab's C speedups, which it imports itself when installed (a third of a PDF's time without them)",
}


def _declared(group: str | None = None) -> dict[str, Requirement]:
    deps = PYPROJECT["project"]["dependencies"] if group is None \
        else PYPROJECT["project"]["optional-dependencies"][group]
    return {canonicalize_name(Requirement(d).name): Requirement(d) for d in deps}


def _pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==", 1)
            pins[canonicalize_name(name)] = version.strip()
    return pins


def _imports(paths: list[Path]) -> dict[str, set[str]]:
    """Top-level third-party modules imported (airflow.providers.X counted as that provider) → where."""
    found: dict[str, set[str]] = {}
    for root in paths:
        for path in [root] if root.is_file() else sorted(root.rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    top = name.split(".")[0]
                    if top in sys.stdlib_module_names or top in FIRST_PARTY:
                        continue
                    parts = name.split(".")
                    key = f"airflow.providers.{parts[2]}" if parts[:2] == ["airflow", "providers"] and len(parts) > 2 \
                        else top
                    found.setdefault(key, set()).add(str(path.relative_to(ROOT)))
    return found


def _distributions(module: str) -> set[str]:
    if module.startswith("airflow.providers."):
        return {canonicalize_name(f"apache-airflow-providers-{module.split('.')[2]}")}
    if module == "airflow":  # apache-airflow brings the core and the task SDK the code imports
        return {"apache-airflow"}
    return {canonicalize_name(d) for d in _modules_to_distributions().get(module, [])}


@cache
def _modules_to_distributions() -> dict[str, list[str]]:
    return packages_distributions()


def test_every_declared_dependency_is_pinned_at_an_allowed_version():
    pins = _pins()
    for name, req in {**_declared(), **_declared("dev")}.items():
        assert name in pins, f"{name} is declared in pyproject.toml but not pinned in requirements.txt"
        assert req.specifier.contains(pins[name], prereleases=True), \
            f"{name}=={pins[name]} in requirements.txt does not satisfy {req} in pyproject.toml"


def test_every_import_of_the_product_is_a_declared_runtime_dependency():
    declared = set(_declared())
    missing = {module: sorted(where)[:3] for module, where in _imports(PRODUCT).items()
               if not _distributions(module) & declared}
    assert missing == {}, f"imported but not declared in [project] dependencies: {missing}"


def test_every_import_of_the_tests_is_declared():
    declared = set(_declared()) | set(_declared("dev"))
    missing = {module: sorted(where)[:3] for module, where in _imports([ROOT / "tests", ROOT / "bench"]).items()
               if not _distributions(module) & declared}
    assert missing == {}, f"imported by tests/bench but declared nowhere: {missing}"


def test_every_declared_runtime_dependency_is_used():
    """A declaration nobody imports (matplotlib was one) costs every install for nothing."""
    imported = set().union(*(_distributions(m) for m in _imports(PRODUCT)))
    unused = sorted(set(_declared()) - imported - set(NOT_IMPORTED))
    assert unused == [], f"declared but never imported: {unused} (say why in NOT_IMPORTED, or remove them)"


def test_the_lock_is_resolved_from_pyproject():
    lines = [line.strip() for line in (ROOT / "requirements.in").read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    assert lines == ["-e .[dev]"]


def test_the_package_layout_keeps_both_packages_and_the_entry_points():
    setuptools = PYPROJECT["tool"]["setuptools"]
    assert setuptools["package-dir"] == {"edu_quality": "plugins/edu_quality", "sample_region": "sample_region"}
    assert PYPROJECT["project"]["scripts"]["edu-quality"] == "edu_quality.cli:main"
    assert PYPROJECT["project"]["entry-points"]["edu_quality.commands"]["sample"] == "sample_region.command:register"


def test_the_image_installs_the_project():
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    copies = re.findall(r"^COPY\b.*?(\S+)\s+(\S+)$", text, flags=re.MULTILINE)
    copied = {Path(src).name for src, _ in copies}
    assert {"pyproject.toml", "plugins", "sample_region"} <= copied, copied
    install = re.search(r"pip install[^\n]*--no-deps[^\n]*-e /opt/airflow", text)
    assert install and text.index("-r /requirements.txt") < install.start()  # pins first, then the project
    assert "edu-quality --help" in text  # the build fails if the command is missing
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".venv", ".edu_quality"} <= set(ignored)


def test_make_test_lints_before_it_tests():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^test:.*\n((?:\t.*\n)+)", makefile, flags=re.MULTILINE).group(1)
    assert re.search(r"ruff check \. && .*pytest", recipe), recipe
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "E" in PYPROJECT["tool"]["ruff"]["lint"]["select"] and "AIR" in PYPROJECT["tool"]["ruff"]["lint"]["select"]
