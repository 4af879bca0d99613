"""One home per source: `include/sources/<name>.yaml` describes where a source's files are, its headers and
types, its rules, its key and the table its rows go to. The contract's own sources and the ones added for
a region (open data, say) are described the same way; from a description come the `Source` the readers
use, the Great Expectations suite (expectations/<name>.json is generated from it), and the load mapping.

Rules come in two forms. Column shorthand (`allowed`, `range`, `pattern`, `unique`) expands into checks in
a fixed order; a source that needs a given order, or rules on derived columns, lists `checks:` itself.
A rule that needs code (a primary score is the sum of its tasks, a mark follows the scale) is a named
function in validation/rules.py, listed under `prepare:`; it adds derived columns the checks read.
"""
from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from edu_quality.config import PATHS
from edu_quality.sources.model import Column, Source

DESCRIPTIONS = PATHS.root / "include" / "sources"
KINDS = {"text": "text", "int": "bigint", "number": "numeric", "date": "date", "bool": "boolean"}
_IDENT = r"^[a-z_][a-z0-9_]{0,62}$"
_TABLE = r"^(core|ext)\.[a-z_][a-z0-9_]{0,62}$"
EXTRA_CELLS_HEADER = "(ячейки за последним столбцом заголовка)"

# A check's kind → the GX expectation, and the quarantine rule it stands for unless it names its own.
EXPECTATIONS = {
    "empty": "expect_column_values_to_be_null",        # a derived column naming what is wrong stays empty
    "filled": "expect_column_values_to_not_be_null",
    "between": "expect_column_values_to_be_between",
    "in_set": "expect_column_values_to_be_in_set",
    "regex": "expect_column_values_to_match_regex",
    "equal": "expect_column_pair_values_to_be_equal",
    "greater": "expect_column_pair_values_a_to_be_greater_than_b",
}
DEFAULT_RULES = {"filled": "required_missing", "in_set": "not_in_set", "between": "out_of_range",
                 "regex": "bad_format"}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ColumnSpec(_Strict):
    header: str
    name: str = Field(pattern=_IDENT)
    kind: Literal["text", "int", "number", "date", "bool"] = "text"
    required: bool = True        # the header must be present
    nullable: bool = False       # an empty cell is allowed
    allowed: tuple[str, ...] | None = None
    range: tuple[float | None, float | None] | None = None
    pattern: str | None = None
    unique: bool = False

    def column(self) -> Column:
        return Column(self.header, self.name, self.kind, required=self.required, nullable=self.nullable)


class PairRule(_Strict):
    """`a <= b` between two columns (shorthand for described sources)."""
    less_or_equal: tuple[str, str]
    column: str
    rule: str = "out_of_range"
    note: str | None = None


class Check(_Strict):
    """One row-level rule: exactly one kind key naming its column(s), and what a failure is called."""
    kind: str
    target: str | tuple[str, str]
    rule: str
    header: str
    options: dict[str, Any] = Field(default_factory=dict)
    notes: str | None = None
    headers_in_value: bool = False
    detail_from: str | None = None   # a derived column whose text says exactly what is wrong with the row

    def expectation(self) -> dict:
        if self.kind in ("equal", "greater"):
            kwargs = {"column_A": self.target[0], "column_B": self.target[1]}
        else:
            kwargs = {"column": self.target}
        kwargs.update(self.options)
        meta: dict[str, Any] = {"rule": self.rule, "column": self.header}
        if self.headers_in_value:
            meta["headers_in_value"] = True
        if self.detail_from:
            meta["detail_from"] = self.detail_from
        if self.notes:
            meta["notes"] = self.notes
        return {"type": EXPECTATIONS[self.kind], "kwargs": kwargs, "meta": meta}


_OPTION_NAMES = {"min": "min_value", "max": "max_value", "pattern": "regex", "values": "value_set"}


class KindRule(_Strict):
    """A name matching `pattern` (case-insensitive) is an organisation of this kind and school type."""
    pattern: str
    kind: Literal["school", "college", "higher"] = "school"
    school_type: str


class Monitoring(_Strict):
    """How a described source's rows map into the monitoring model (`monitoring:`): the column naming the
    school and how a row is resolved to a school of the year, the column of its municipality, and the
    kinds of organisation its names show. The rule (a stated key where present, otherwise the normalised
    name and number) is applied by warehouse/resolve.py; `rule_ru` says it in words for the match report."""
    school_name: str                          # the column naming the school
    school_key: str | None = None             # a stated key (OGRN): a row with it is that school of the year
    key_pattern: str = r"^\d{13}$"            # what a sound key looks like; another value falls back to the name
    municipality: str                         # the column of the municipality (for Moscow: the okrug)
    municipality_codes: dict[str, str] = Field(default_factory=dict)  # name → code (else the name's initials)
    schools_of_year: bool = False             # its rows are the year's schools when the year has no schools.*
    locality: Literal["городская", "сельская"] | None = None
    # Removed from the lower-cased name before it is compared (the organisational-legal form and the like).
    name_drop: tuple[str, ...] = ()
    kinds: tuple[KindRule, ...] = ()          # the first rule whose pattern the name matches
    rule_ru: str

    def columns(self) -> list[str]:
        return [c for c in (self.school_name, self.school_key, self.municipality) if c]


class SourceDescription(_Strict):
    name: str = Field(pattern=_IDENT)
    title_ru: str
    order: int = 1000                      # load order: references before the files that point at them
    files: tuple[str, ...]                 # patterns under <inbox>/<year>/
    folder: bool = False                   # a folder source: every file of it is taken, whatever its extension
    required: bool = False
    references: tuple[str, ...] = ()       # sources whose rows this one's rows are checked against
    context: tuple[str, ...] = ()          # columns of this source that other sources' rules read
    key: tuple[str, ...] = ()              # unique within the year's files (a repeat is quarantined)
    key_across_files: bool = False         # ...and against the other files of the year already loaded (in memory)
    key_in_table: bool = False             # ...checked in the table after COPY instead (big sources)
    table: str = Field(pattern=_TABLE)
    load: tuple[str | dict[str, dict[str, str]], ...] | None = None  # the table's columns, in COPY order
    rows: str | None = None                # a named row builder instead of one table row per file row
    prepare: tuple[str, ...] = ()          # named rule functions (validation/rules.py)
    side_table: dict[str, str] | None = None  # {table, rule}: rows another table gets from this source's loads
    # A reference: a row whose failures blame only other columns than these keeps its row (the bad cells load
    # empty and are reported in mart.data_issues); a failure on one of these quarantines the row whole.
    keep_row_unless: tuple[str, ...] = ()
    suite_notes: str | None = None
    columns: tuple[ColumnSpec, ...]
    checks: tuple[dict[str, Any], ...] | None = None
    rules: tuple[PairRule, ...] = ()
    monitoring: Monitoring | None = None   # the rows map into the monitoring model: schools, municipalities
    format_of: str | None = None           # another format (other headers) of this contract source's data
    path: Path | None = None

    @field_validator("files")
    @classmethod
    def _some_files(cls, v):
        if not v:
            raise ValueError("name at least one file pattern")
        return v

    @model_validator(mode="after")
    def _consistent(self):
        found = self.inconsistencies()
        if found:  # each on a line of its own, `field[i]: what`, so the checker puts each on its line of the file
            raise ValueError("\n".join(f"{field}[{i}]: {message}" for (field, i), message in found))
        return self

    def inconsistencies(self) -> list[tuple[tuple[str, int], str]]:
        """((part, position), what) for every name one part of the description uses that no column defines."""
        names = [c.name for c in self.columns]
        found = [(("columns", names.index(n)), f"column name {n!r} repeats")
                 for n in sorted({n for n in names if names.count(n) > 1})]
        for part in ("key", "keep_row_unless"):
            found += [((part, i), f"key column {k!r} is not a column of the source")
                      for i, k in enumerate(getattr(self, part)) if k not in names]
        found += [(("rules", i), f"rule {r.less_or_equal} names unknown columns")
                  for i, r in enumerate(self.rules) if not set(r.less_or_equal) <= set(names)]
        if self.monitoring is not None:
            found += [(("monitoring", 0), f"monitoring names {c!r}, which is not a column of the source")
                      for c in self.monitoring.columns() if c not in names]
        for i, spec in enumerate(self.checks or ()):
            try:
                self._check(spec)
            except (ValueError, KeyError) as exc:
                found.append((("checks", i), str(exc)))
        return found

    # --- what the rest of the pipeline reads -------------------------------------------------------------

    def source(self) -> Source:
        return Source(self.name, self.files[0], many=self.folder, required=self.required,
                      columns=tuple(c.column() for c in self.columns))

    def column_spec(self, name: str) -> ColumnSpec:
        return next(c for c in self.columns if c.name == name)

    def keys(self) -> tuple[str, ...]:
        return self.key or tuple(c.name for c in self.columns if c.unique)

    def load_columns(self) -> list[str]:
        if self.load is None:  # the inbox year first (a `year` column of the file was checked to match it)
            return ["year", *[c.name for c in self.columns if c.name != "year"]]
        return [item if isinstance(item, str) else next(iter(item)) for item in self.load]

    def load_transforms(self) -> dict[str, dict[str, str]]:
        """Table column → {hash: frame column} | {rule: named loader function}."""
        return {next(iter(i)): next(iter(i.values())) for i in self.load or () if isinstance(i, dict)}

    def expectations(self) -> list[dict]:
        return [c.expectation() for c in self.parsed_checks()]

    def suite(self) -> dict:
        meta = {"description": f"include/sources/{self.name}.yaml", "title_ru": self.title_ru}
        if self.suite_notes:
            meta["notes"] = self.suite_notes
        return {"name": self.name, "meta": meta, "expectations": self.expectations()}

    def stored_keys(self) -> list[str]:
        """The key's columns as the table stores them (a hashed column under its stored name)."""
        stored = {how["hash"]: column for column, how in self.load_transforms().items() if "hash" in how}
        return [stored.get(k, k) for k in self.keys()]

    def ddl(self) -> str | None:
        """An `ext` table is created on the first load; `core` tables come from the migrations."""
        if not self.table.startswith("ext."):
            return None
        cols = ",\n    ".join(f"{c.name} {KINDS[c.kind]}" for c in self.columns if c.name != "year")
        title = self.title_ru.replace("'", "''")
        # Schema ext comes from migration 018 (a `create schema` here would need CREATE on the database). Only a
        # missing table is created: the index and the comment need its owner, who may be another role.
        name = self.table.split(".")[1]
        return (f"do $ddl$ begin if to_regclass('{self.table}') is null then\n"
                f"create table {self.table} (\n    year integer not null,\n    {cols},\n"
                f"    load_id bigint not null references core.load_log on delete cascade,\n"
                f"    row_number integer not null\n);\n"
                f"create index {name}_load on {self.table} (load_id);\n"
                f"comment on table {self.table} is '{title}';\n"
                "if exists (select from pg_roles where rolname = 'edu_writer') then "
                f"grant select, insert, update, delete on {self.table} to edu_writer; end if;\n"
                f"end if;\n{self._key_index_ddl(name)}end $ddl$;")

    def _key_index_ddl(self, name: str) -> str:
        """The (year, key) index the key check looks each row up in (warehouse/load.py), also for a table made
        before the description asked for the check: without it each row of a file would read the year's table.
        Made by the table's owner; another role is told, not stopped."""
        if not self.key_in_table:
            return ""
        return (f"begin create index if not exists {name}_key on {self.table} "
                f"({', '.join(['year', *self.stored_keys()])});\n"
                f"exception when insufficient_privilege then raise warning 'no index {name}_key on {self.table}: "
                f"the key check of each file will read the year''s table; its owner can create it'; end;\n")

    # --- checks ------------------------------------------------------------------------------------------

    def parsed_checks(self) -> list[Check]:
        if self.checks is not None:
            return [self._check(spec) for spec in self.checks]
        return self._shorthand_checks()

    def _check(self, spec: dict) -> Check:
        spec = dict(spec)
        kinds = [k for k in spec if k in EXPECTATIONS]
        if len(kinds) != 1:
            raise ValueError(f"check {spec}: name exactly one of {', '.join(EXPECTATIONS)}")
        kind = kinds[0]
        target = spec.pop(kind)
        target = tuple(target) if isinstance(target, list) else target
        base = target[:-5] if isinstance(target, str) and target.endswith("__bad") else target
        known = {c.name: c for c in self.columns}
        rule = spec.pop("rule", None) or DEFAULT_RULES.get(kind) or (
            "bad_type" if isinstance(target, str) and target.endswith("__bad") else None)
        header = spec.pop("header", None) or (known[base].header if isinstance(base, str) and base in known else None)
        if rule is None or header is None:
            raise ValueError(f"check {kind}: {target}: give `rule` and `header` (not a column of the source)")
        notes, in_value = spec.pop("notes", None), spec.pop("headers_in_value", False)
        detail_from = spec.pop("detail_from", None)
        options = {_OPTION_NAMES.get(k, k): v for k, v in spec.items()}
        if kind == "in_set" and "value_set" not in options:
            allowed = known[target].allowed if target in known else None
            if not allowed:
                raise ValueError(f"check in_set: {target}: the column lists no `allowed` values")
            options["value_set"] = list(allowed)
        return Check(kind=kind, target=target, rule=rule, header=header, options=options, notes=notes,
                     headers_in_value=in_value, detail_from=detail_from)

    def _shorthand_checks(self) -> list[Check]:
        """Per column: type, required, range, allowed set, pattern; then the key, pair rules, shifted cells."""
        out = []
        for c in self.columns:
            if c.kind != "text":
                out.append(self._check({"empty": f"{c.name}__bad"}))
            if not c.nullable:
                out.append(self._check({"filled": c.name}))
            if c.range is not None:
                low, high = c.range
                out.append(self._check({"between": c.name, **({"min": low} if low is not None else {}),
                                        **({"max": high} if high is not None else {})}))
            if c.allowed:
                out.append(self._check({"in_set": c.name}))
            if c.pattern:
                out.append(self._check({"regex": c.name, "pattern": c.pattern}))
        if self.keys():
            out.append(self._check({"empty": "_repeat", "rule": "duplicate_key",
                                    "header": self.column_spec(self.keys()[0]).header}))
        for r in self.rules:
            a, b = r.less_or_equal
            out.append(self._check({"greater": [b, a], "or_equal": True, "ignore_row_if": "either_value_is_missing",
                                    "rule": r.rule, "header": r.column, "notes": r.note or f"{a} <= {b}"}))
        out.append(self._check({"empty": "_extra", "rule": "extra_cells", "header": EXTRA_CELLS_HEADER}))
        return out


def read_description(path: Path) -> SourceDescription:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(doc, dict):
        raise ValueError(f"{path.name}: a source description is a mapping")
    return SourceDescription(**doc, path=path)


@lru_cache(maxsize=4)
def _all(roots: tuple[str, ...]) -> dict[str, SourceDescription]:
    found: dict[str, SourceDescription] = {}
    for root in roots:
        folder = Path(root)
        for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
            d = read_description(path)
            if d.name in found:
                raise ValueError(f"{path}: source {d.name!r} is already described in {found[d.name].path}")
            found[d.name] = d
    return {d.name: d for d in sorted(found.values(), key=lambda d: (d.order, d.name))}


def description_folders() -> tuple[str, ...]:
    """The product's descriptions, then a region's own (EDU_QUALITY_SOURCES: folders separated by `:`),
    so a region adds a source without editing the product's tree."""
    extra = [f for f in os.environ.get("EDU_QUALITY_SOURCES", "").split(os.pathsep) if f]
    return (str(DESCRIPTIONS), *extra)


def descriptions() -> dict[str, SourceDescription]:
    """Every described source, in load order."""
    return _all(description_folders())


def description_problems(project: Path | None = None) -> list:
    """`edu-quality check`: every description of the project (include/sources/*.yaml) against the model, with
    the file and line of each problem; then what one description says of another (references, their context
    columns, load order)."""
    from pydantic import ValidationError

    from edu_quality.checks import read_yaml, shown, similar

    project = project or PATHS.root
    problems, found, docs, names = [], {}, {}, set()
    for path in sorted((project / "include" / "sources").glob("*.yaml")):
        doc, read = read_yaml(path, project)
        problems += read
        if doc is None:
            continue
        data = doc.data if isinstance(doc.data, dict) else {}
        if isinstance(data.get("name"), str):
            names.add(data["name"])  # a broken description still names its source: no cascade of «не описан»
        try:
            d = SourceDescription(**data, path=path)
        except ValidationError as err:
            problems += _description_problems(err, doc)
            continue
        except TypeError as err:
            problems.append(doc.problem((), f"описание источника должно быть словарём ключей ({err})"))
            continue
        if d.name in found:
            first = shown(found[d.name].path, project)
            problems.append(doc.problem(("name",), f"источник «{d.name}» уже описан в {first}"))
        found[d.name], docs[d.name] = d, doc
    ordered = sorted(found.values(), key=lambda d: (d.order, d.name))
    for d in ordered:
        for i, ref in enumerate(d.references):
            if ref not in names:
                problems.append(docs[d.name].problem(("references", i),
                                                     f"источник «{ref}» не описан{similar(ref, found)}"))
            elif ref in found and ordered.index(found[ref]) > ordered.index(d):
                problems.append(docs[d.name].problem(("references", i),
                                                     f"справочник «{ref}» загружается позже (order {found[ref].order} "
                                                     f"> {d.order}): он должен идти раньше"))
        if d.format_of and (d.format_of not in found or found[d.format_of].table != d.table):
            problems.append(docs[d.name].problem(
                ("format_of",), f"«{d.format_of}» — не описанный источник с той же таблицей {d.table}"
                                f"{similar(d.format_of, found)}"))
        for i, column in enumerate(d.context):
            if column not in {c.name for c in d.columns}:
                problems.append(docs[d.name].problem(("context", i), f"столбца «{column}» нет среди columns"))
    return problems


def _description_problems(err, doc) -> list:
    """The model's errors at their lines; an inconsistency (`field[i]: what`) at the line of that item."""
    from pydantic import ValidationError

    from edu_quality.checks import validation_problems

    problems = []
    model_level = [e for e in err.errors(include_url=False) if e["loc"] == () and e["type"] == "value_error"]
    for error in model_level:
        for line in str(error["ctx"].get("error", error["msg"])).splitlines():
            m = re.match(r"^(\w+)\[(\d+)\]: (.*)$", line)
            problems.append(doc.problem((m[1], int(m[2])), m[3]) if m else doc.problem((), line))
    rest = [e for e in err.errors(include_url=False) if e not in model_level]
    if rest:
        problems += validation_problems(ValidationError.from_exception_data(err.title, rest), doc, SourceDescription)
    return problems


def allowed_values(source: str, column: str) -> tuple[str, ...]:
    """An enumeration of the contract, as its source's description lists it."""
    return descriptions()[source].column_spec(column).allowed or ()


def is_identifier(name: str) -> bool:
    return re.match(_IDENT, name) is not None
