"""Finding a year's files in the inbox, as the contract lays them out."""
from __future__ import annotations

from pathlib import Path

from edu_quality.sources.contract import FILE_EXTENSIONS
from edu_quality.sources.description import descriptions


def year_dir(inbox: str | Path, year: int) -> Path:
    return Path(inbox) / str(year)


def discover(inbox: str | Path, year: int) -> dict[str, list[str]]:
    """source → files (relative to `<inbox>/<year>/`), in load order, as each description places them.

    Files whose names start with `_` or `.` are the operator's own (a manifest, a lock file).
    """
    root = year_dir(inbox, year)
    if not root.is_dir():
        raise FileNotFoundError(f"inbox folder {root} does not exist")
    found: dict[str, list[str]] = {}
    for name, d in descriptions().items():
        paths = sorted({p for pattern in d.files for p in root.glob(pattern) if p.is_file()})
        paths = [p for p in paths if not p.name.startswith(("_", "."))]
        # A folder source takes every file (a wrong format is rejected with a message, not ignored);
        # a single-file source takes only the contract's extensions.
        if not d.folder:
            paths = [p for p in paths if p.suffix.lower() in FILE_EXTENSIONS]
        found[name] = [p.relative_to(root).as_posix() for p in paths]
    return found


def missing_required(found: dict[str, list[str]]) -> list[str]:
    return [name for name, d in descriptions().items() if d.required and not found.get(name)]
