"""Where a document goes: `<output>/<year>/<municipality>/<file>` for what may be published (the municipal
reports; the regional report at `<output>/<year>/`), `<output>/<year>/служебное/<municipality>/<file>` for what
may not (draft orders, the schools' documents, per-school objectivity evidence), with every part that comes
from the input (a municipality or school code) made safe first. The codes' own format
(include/sources/schools.yaml) already admits only letters, digits, `-` and `_`; this is the second line: no
input ever decides where output goes."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

_SAFE = re.compile(r"^[0-9A-Za-zА-Яа-яЁё_-]{1,64}$")


class UnsafePath(ValueError):
    """A document path that would leave the year's output folder."""


def part(code: str) -> str:
    """A code as one path component: itself when it is letters, digits, `-` and `_`; otherwise its safe letters
    and a short digest (two different codes never share a folder)."""
    code = str(code)
    if _SAFE.match(code) and code not in (".", ".."):
        return code
    kept = re.sub(r"[^0-9A-Za-zА-Яа-яЁё_-]", "_", code)[:40].strip("_") or "code"
    return f"{kept}_{hashlib.sha256(code.encode()).hexdigest()[:8]}"


def year_root(out_dir: Path, year: int) -> Path:
    return Path(out_dir) / str(int(year))


def municipality_folder(out_dir: Path, year: int, municipality_code: str) -> Path:
    return year_root(out_dir, year) / part(municipality_code)


# The internal folder: the public index (index.html) never links into it.
INTERNAL = "служебное"


def internal_folder(out_dir: Path, year: int, municipality_code: str) -> Path:
    return year_root(out_dir, year) / INTERNAL / part(municipality_code)


def inside(root: Path, path: Path) -> Path:
    """`path`, after checking that it (links resolved) lies under `root`."""
    resolved, base = Path(path).resolve(), Path(root).resolve()
    if not resolved.is_relative_to(base):
        raise UnsafePath(f"{path} would be written outside {root}")
    return path
