"""Sources described in YAML (include/sources/*.yaml) instead of code.

A description names where the files are, maps headers to typed columns with their rules, and adds
cross-field rules; from it come the Source the readers use, the Great Expectations suite, and the
`ext` table the loader fills. Adding such a source is adding a YAML file.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from edu_quality.config import PATHS
from edu_quality.sources.contract import (BAD_FORMAT, BAD_TYPE, DUPLICATE_KEY, NOT_IN_SET, OUT_OF_RANGE,
                                          REQUIRED_MISSING, Column, Source)

KINDS = {"text": "text", "int": "bigint", "number": "numeric", "date": "date", "bool": "boolean"}
_IDENT = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_TABLE = re.compile(r"^ext\.[a-z_][a-z0-9_]{0,62}$")


@dataclass(frozen=True)
class Described:
    source: Source
    table: str
    files: tuple[str, ...]
    title_ru: str
    expectations: tuple[dict, ...]
    unique: tuple[str, ...]
    path: Path

    def ddl(self) -> str:
        cols = ",\n    ".join(f"{c.name} {KINDS[c.kind]}" for c in self.source.columns)
        return (f"create schema if not exists ext;\n"
                f"create table if not exists {self.table} (\n    year integer not null,\n    {cols},\n"
                f"    load_id bigint not null references core.load_log on delete cascade,\n"
                f"    row_number integer not null\n);\n"
                f"create index if not exists {self.table.split('.')[1]}_load on {self.table} (load_id);\n"
                f"comment on table {self.table} is '{self.title_ru.replace(chr(39), chr(39) * 2)}';")

    def columns(self) -> list[str]:
        return ["year", *[c.name for c in self.source.columns]]


def _e(type_: str, rule: str, header: str, **kwargs) -> dict:
    return {"type": type_, "kwargs": kwargs, "meta": {"rule": rule, "column": header}}


def load_description(path: Path) -> Described:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    name, table = doc["name"], doc["table"]
    if not _IDENT.match(name) or not _TABLE.match(table):
        raise ValueError(f"{path.name}: name must be an identifier and table `ext.<identifier>`")
    columns, expectations, unique = [], [], []
    for spec in doc["columns"]:
        kind = spec.get("kind", "text")
        if kind not in KINDS or not _IDENT.match(spec["name"]):
            raise ValueError(f"{path.name}: column {spec.get('name')!r}: bad name or kind {kind!r}")
        col = Column(spec["header"], spec["name"], kind, required=spec.get("required", True),
                     nullable=spec.get("nullable", False))
        columns.append(col)
        header = col.header
        if kind != "text":
            expectations.append(_e("expect_column_values_to_be_null", BAD_TYPE, header, column=f"{col.name}__bad"))
        if not col.nullable:
            expectations.append(_e("expect_column_values_to_not_be_null", REQUIRED_MISSING, header, column=col.name))
        if "range" in spec:
            low, high = spec["range"]
            bounds = {k: v for k, v in (("min_value", low), ("max_value", high)) if v is not None}
            expectations.append(_e("expect_column_values_to_be_between", OUT_OF_RANGE, header,
                                   column=col.name, **bounds))
        if "allowed" in spec:
            expectations.append(_e("expect_column_values_to_be_in_set", NOT_IN_SET, header,
                                   column=col.name, value_set=list(spec["allowed"])))
        if "pattern" in spec:
            expectations.append(_e("expect_column_values_to_match_regex", BAD_FORMAT, header,
                                   column=col.name, regex=spec["pattern"]))
        if spec.get("unique"):
            unique.append(col.name)
    if unique:
        expectations.append(_e("expect_column_values_to_be_null", DUPLICATE_KEY,
                               next(c.header for c in columns if c.name == unique[0]), column="_repeat"))
    names = {c.name for c in columns}
    for rule in doc.get("rules") or []:
        a, b = rule["less_or_equal"]
        if a not in names or b not in names:
            raise ValueError(f"{path.name}: rule {rule} names unknown columns")
        expectations.append({"type": "expect_column_pair_values_a_to_be_greater_than_b",
                             "kwargs": {"column_A": b, "column_B": a, "or_equal": True,
                                        "ignore_row_if": "either_value_is_missing"},
                             "meta": {"rule": rule.get("rule", OUT_OF_RANGE), "column": rule["column"],
                                      "notes": rule.get("note", f"{a} <= {b}")}})
    expectations.append(_e("expect_column_values_to_be_null", "extra_cells",
                           "(ячейки за последним столбцом заголовка)", column="_extra"))
    source = Source(name, "", many=False, required=False, columns=tuple(columns))
    return Described(source, table, tuple(doc["files"]), doc.get("title_ru", name), tuple(expectations),
                     tuple(unique), path)


@lru_cache(maxsize=1)
def _all(root: str) -> dict[str, Described]:
    folder = Path(root)
    found = {}
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        d = load_description(path)
        found[d.source.name] = d
    return found


def described_sources() -> dict[str, Described]:
    return _all(str(PATHS.root / "include" / "sources"))
