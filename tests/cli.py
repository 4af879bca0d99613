"""Running `edu-quality` as a user does: the installed command (or `python -m edu_quality`) in a subprocess."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def edu_quality(*args: str, timeout: float = 900, env: dict[str, str] | None = None,
                cwd: str | Path | None = None) -> subprocess.CompletedProcess:
    """The command with the test session's environment (and `env` over it); its exit code and output."""
    exe = Path(sys.executable).parent / "edu-quality"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "edu_quality"]
    return subprocess.run([*cmd, *args], capture_output=True, text=True, env={**os.environ, **(env or {})},
                          timeout=timeout, cwd=cwd)
