"""expectations/<source>.json: each source's Great Expectations suite as its description defines it,
written out for review (a diff shows what a change of rules does) and for GX's Data Docs readers.

    .venv/bin/python -m edu_quality.validation.suites     # rewrites expectations/*.json

tests/unit/test_source_descriptions.py checks that the files are up to date."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from edu_quality.config import PATHS
from edu_quality.sources.description import descriptions


def suite_text(source: str) -> str:
    return json.dumps(descriptions()[source].suite(), ensure_ascii=False, indent=2) + "\n"


def write_suites(folder: Path | None = None) -> list[Path]:
    folder = folder or PATHS.expectations
    written = []
    for name in descriptions():
        path = folder / f"{name}.json"
        path.write_text(suite_text(name), encoding="utf-8", newline="\n")
        written.append(path)
    return written


if __name__ == "__main__":
    for p in write_suites(Path(sys.argv[1]) if len(sys.argv) > 1 else None):
        print(p)
