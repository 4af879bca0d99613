"""What the README promises about its commands, checked: its first two commands are `make demo` and `make test`
(what CI runs), and `make` reinstalls only when the pins change (a second `make demo` installs nothing). Its
SQL blocks run against the end-to-end warehouse in tests/e2e/test_annual_cycle.py."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"


def readme_blocks(language: str) -> list[str]:
    """The README's fenced code blocks of one language, in order."""
    return re.findall(rf"^```{language}\n(.*?)^```", README.read_text(encoding="utf-8"), flags=re.MULTILINE | re.DOTALL)


def readme_queries() -> list[str]:
    """Every SQL statement of the README's ```sql blocks, each with the comment lines above it."""
    queries = []
    for block in readme_blocks("sql"):
        for statement in block.split(";"):
            if re.search(r"^\s*select\b", statement, flags=re.MULTILINE | re.IGNORECASE):
                queries.append(statement.strip())
    return queries


def test_the_first_commands_are_make_demo_and_make_test():
    first = readme_blocks("bash")[0].splitlines()
    assert [line.split("#")[0].strip() for line in first[:2]] == ["make demo", "make test"]
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_the_readme_has_queries_to_run():
    queries = readme_queries()
    assert len(queries) >= 6 and all("mart." in q for q in queries)


def _make_dry_run(folder: Path, target: str) -> str:
    done = subprocess.run(["make", "-n", target], cwd=folder, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "MAKEFLAGS": ""})
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_a_second_make_demo_installs_nothing_until_the_pins_change(tmp_path):
    """On a copy of the Makefile and its pins: once the install stamp is newer than requirements.txt and
    pyproject.toml, `make demo` would only generate and run (no venv, no pip); touching either pin file
    brings the install back."""
    for name in ("Makefile", "requirements.txt", "pyproject.toml"):
        shutil.copy(ROOT / name, tmp_path / name)
    first = _make_dry_run(tmp_path, "demo")
    assert "pip install" in first and "-r requirements.txt" in first
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / ".venv" / "bin" / "python").symlink_to(shutil.which("python3") or "/usr/bin/python3")
    past = time.time() - 60
    for name in ("requirements.txt", "pyproject.toml"):
        os.utime(tmp_path / name, (past, past))
    stamp = tmp_path / ".venv" / ".installed"
    stamp.touch()
    os.utime(stamp, (past + 30, past + 30))
    second = _make_dry_run(tmp_path, "demo")
    assert "pip" not in second and "venv" not in second.replace(".venv/bin/", "")
    assert "edu-quality sample" in second and "edu-quality run" in second
    for name in ("requirements.txt", "pyproject.toml"):
        os.utime(tmp_path / name, (past + 45, past + 45))  # edited after the install
        assert "-r requirements.txt" in _make_dry_run(tmp_path, "demo"), name
        os.utime(tmp_path / name, (past, past))
