"""The analysis output tables' columns are declared once (analysis/tables.py); the migrations that create
the tables must say the same. Read from the migrations' text (no warehouse needed), in the order applied."""
from __future__ import annotations

import re

from edu_quality.analysis import tables
from edu_quality.analysis.measure_effects import COLUMNS as EFFECT_COLUMNS
from edu_quality.config import PATHS

CREATE = re.compile(r"create table (?P<name>[\w.]+)\s*\((?P<body>.*?)\n\);", re.S | re.I)
CONSTRAINT = ("primary", "unique", "check", "constraint", "foreign", "exclude")
ALTER = re.compile(r"alter table (?:only )?(?P<name>[\w.]+)\s+(?P<what>add|drop) column (?:if (?:not )?exists )?"
                   r"(?P<column>\w+)", re.I)


def migration_columns(sql_dir=PATHS.migrations) -> dict[str, list[str]]:
    """Table → its columns after all migrations: `create table` bodies, then `alter table … add/drop column`."""
    found: dict[str, list[str]] = {}
    for path in sorted(sql_dir.glob("*.sql")):
        text = re.sub(r"--[^\n]*", "", path.read_text(encoding="utf-8"))
        for m in CREATE.finditer(text):
            cols = []
            for line in m.group("body").split(",\n"):
                word = line.strip().split()[0] if line.strip() else ""
                if word and word.lower() not in CONSTRAINT:
                    cols.append(word)
            found[m.group("name")] = cols
        for m in ALTER.finditer(text):
            cols = found.setdefault(m.group("name"), [])
            if m.group("what").lower() == "add":
                cols.append(m.group("column"))
            elif m.group("column") in cols:
                cols.remove(m.group("column"))
    return found


def test_every_declared_table_has_the_migrations_columns():
    created = migration_columns()
    for table, declared in tables.COLUMNS.items():
        assert table in created, f"{table}: no migration creates it"
        assert created[table][0] == "year", f"{table}: `year` first, as replace_year stores it"
        assert list(declared) == created[table][1:], f"{table}: tables.py and the migrations differ"
    assert tables.RUN_TABLE in created and set(tables.TABLES) - set(created) == set()


def test_the_parser_reads_a_create_table_and_its_alterations(tmp_path):
    (tmp_path / "001.sql").write_text(
        "-- a comment, (with) commas\ncreate table core.t (\n    year integer not null,\n    a numeric(5, 2),\n"
        "    b text check (b in ('x', 'y')),\n    primary key (year, a)\n);\n", encoding="utf-8")
    (tmp_path / "002.sql").write_text("alter table core.t add column c text;\nalter table core.t drop column b;\n",
                                      encoding="utf-8")
    assert migration_columns(tmp_path) == {"core.t": ["year", "a", "c"]}


def test_the_producers_use_the_declared_columns():
    from edu_quality.analysis import clusters, head_effectiveness, objectivity, practices, risk_profile

    assert EFFECT_COLUMNS == tables.columns("core.measure_effect")
    assert clusters.CENTRE_COLUMNS == tables.columns("core.analysis_cluster")
    assert head_effectiveness.COLUMNS == tables.columns("core.head_effectiveness")
    assert practices.COLUMNS == tables.columns("core.successful_practice")
    assert risk_profile.COLUMNS == tables.columns("core.school_risk_factor")
    # The signals carry one working column more (whether the group had a verdict); it is not stored.
    assert objectivity.COLUMNS == [*tables.columns("core.objectivity_signal"), "assessed"]
