"""What the readers and validators take of a source: its headers and their types (built from its
description, sources/description.py)."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    header: str            # as the contract writes it
    name: str              # the warehouse column name
    kind: str = "text"     # text | int | number | date | bool
    required: bool = True  # the header must be present
    nullable: bool = False  # an empty cell is allowed


@dataclass(frozen=True)
class Source:
    name: str               # schools, vpr, vpr_scales, gia, gia_thresholds, self_evaluation, ...
    pattern: str            # where its files are, relative to <inbox>/<year>/
    many: bool              # a folder of any number of files
    required: bool
    columns: tuple[Column, ...] = field(default_factory=tuple)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)
