"""Finding a year's files in the inbox, as the sources' descriptions lay them out — and accounting for every
other file there: not recognised (with the layout expected), the operator's own (`_`/`.` names), or a link
out of the inbox (never followed)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from edu_quality.sources.contract import FILE_EXTENSIONS
from edu_quality.sources.description import descriptions


def year_dir(inbox: str | Path, year: int) -> Path:
    return Path(inbox) / str(year)


def _inside(path: Path, root: Path) -> bool:
    """Whether the file a path names (links resolved) lies under the year's folder."""
    try:
        path.resolve().relative_to(root.resolve())
        return True
    except (ValueError, OSError):
        return False


def _own(path: Path, root: Path) -> bool:
    """The operator's own files (a manifest, a lock file, an editor's backup): `_` or `.` names, at any depth."""
    return any(part.startswith(("_", ".")) for part in path.relative_to(root).parts)


def discover(inbox: str | Path, year: int) -> dict[str, list[str]]:
    """source → files (relative to `<inbox>/<year>/`), in load order, as each description places them.
    The operator's own files and links out of the inbox are left out (inventory() lists them)."""
    root = year_dir(inbox, year)
    if not root.is_dir():
        raise FileNotFoundError(f"inbox folder {root} does not exist")
    found: dict[str, list[str]] = {}
    for name, d in descriptions().items():
        paths = sorted({p for pattern in d.files for p in root.glob(pattern) if p.is_file()})
        paths = [p for p in paths if not _own(p, root) and _inside(p, root)]
        # A folder source takes every file (a wrong format is rejected with a message, not ignored);
        # a single-file source takes only the contract's extensions.
        if not d.folder:
            paths = [p for p in paths if p.suffix.lower() in FILE_EXTENSIONS]
        found[name] = [p.relative_to(root).as_posix() for p in paths]
    return found


@dataclass(frozen=True)
class InboxFile:
    file_name: str          # relative to <inbox>/<year>/
    source: str | None      # the source it is read as; None when it is not read
    status: str             # source | not_recognised | own_file | link_outside
    reason_ru: str | None


def expected_layout() -> str:
    return ", ".join(p for d in descriptions().values() for p in d.files[:1])


def inventory(inbox: str | Path, year: int) -> list[InboxFile]:
    """Every file under `<inbox>/<year>/` (links and hidden files included), each read as a source or said
    why not."""
    root = year_dir(inbox, year)
    taken = {f: s for s, files in discover(inbox, year).items() for f in files}
    out = []
    for dirpath, dirnames, filenames in os.walk(root):  # links to folders are listed, not walked into
        base = Path(dirpath)
        for name in sorted(filenames) + sorted(d for d in dirnames if (base / d).is_symlink()):
            path = base / name
            rel = path.relative_to(root).as_posix()
            if rel in taken:
                out.append(InboxFile(rel, taken[rel], "source", None))
            elif path.is_symlink() and not _inside(path, root):
                out.append(InboxFile(rel, None, "link_outside", "ссылка на файл вне папки года: не загружается "
                                                                 "(положите в папку сам файл)"))
            elif _own(path, root):
                out.append(InboxFile(rel, None, "own_file", "служебный файл (имя начинается с «_» или «.»): "
                                                             "не загружается"))
            else:
                out.append(InboxFile(rel, None, "not_recognised",
                                     f"файл не распознан ни как один источник; ожидается: {expected_layout()}"))
    return sorted(out, key=lambda f: f.file_name)


def missing_required(found: dict[str, list[str]]) -> list[str]:
    return [name for name, d in descriptions().items() if d.required and not found.get(name)]
