"""Finding a year's files in the inbox, as the contract lays them out."""
from __future__ import annotations

from pathlib import Path

from edu_quality.sources.contract import FILE_EXTENSIONS, LOAD_ORDER, SOURCES


def year_dir(inbox: str | Path, year: int) -> Path:
    return Path(inbox) / str(year)


def discover(inbox: str | Path, year: int) -> dict[str, list[str]]:
    """source → files (relative to `<inbox>/<year>/`), in the contract's load order.

    Files whose names start with `_` or `.` are the operator's own (a manifest, a lock file).
    """
    root = year_dir(inbox, year)
    if not root.is_dir():
        raise FileNotFoundError(f"inbox folder {root} does not exist")
    found: dict[str, list[str]] = {}
    for name in LOAD_ORDER:
        source = SOURCES[name]
        if source.many:
            folder = root / source.pattern.split("/")[0]
            paths = sorted(p for p in folder.glob("*") if p.is_file()) if folder.is_dir() else []
        else:
            stem = source.pattern.split(".")[0]
            paths = sorted(p for p in root.glob(f"{stem}.*") if p.is_file())
        paths = [p for p in paths if not p.name.startswith(("_", "."))]
        # A folder source takes every file (a wrong format is rejected with a message, not ignored);
        # a single-file source takes only the contract's extensions.
        if not source.many:
            paths = [p for p in paths if p.suffix.lower() in FILE_EXTENSIONS]
        found[name] = [p.relative_to(root).as_posix() for p in paths]
    from edu_quality.sources.described import described_sources

    for name, d in described_sources().items():
        paths = sorted({p for pattern in d.files for p in root.glob(pattern) if p.is_file()})
        found[name] = [p.relative_to(root).as_posix() for p in paths if not p.name.startswith(("_", "."))]
    return found


def missing_required(found: dict[str, list[str]]) -> list[str]:
    return [name for name in LOAD_ORDER if SOURCES[name].required and not found.get(name)]
