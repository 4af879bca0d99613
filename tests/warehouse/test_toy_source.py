"""Adding a source is adding its description: a toy register described in one YAML file (in a region's own
folder, EDU_QUALITY_SOURCES) is found in the inbox, validated by Great Expectations with the checks the
description states (types, required cells, an allowed set, a key, a named rule, the schools reference),
and loaded into its table with every row accounted for — no Python written for it."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from edu_quality.pipeline.inbox import discover
from edu_quality.pipeline.ingest import ingest_file
from edu_quality.sources import description as desc
from tests.warehouse.helpers import SCHOOLS_HEADER, write

YEAR = 2311
TOY = """\
name: toy_register
title_ru: Реестр кружков (игрушечный источник для теста)
files: ["кружки*.csv"]
references: [schools]
key: [school_code, club]
table: ext.toy_register
prepare: [year_matches]
columns:
  - {header: Год, name: year, kind: int}
  - {header: Код ОО, name: school_code}
  - {header: Кружок, name: club}
  - {header: Направленность, name: focus, allowed: [техническая, естественнонаучная, художественная]}
  - {header: Участников, name: members, kind: int}
checks:
  - {filled: school_code}
  - {empty: _unknown_school, rule: unknown_school, header: Код ОО}
  - {filled: club}
  - {in_set: focus}
  - {empty: members__bad}
  - {filled: members}
  - {between: members, min: 0, max: 500}
  - {empty: _year_mismatch, rule: out_of_range, header: Год}
  - {empty: _repeat, rule: duplicate_key, header: Кружок}
  - {empty: _extra, rule: extra_cells, header: "(ячейки за последним столбцом заголовка)"}
"""


@pytest.fixture()
def toy_source(tmp_path, monkeypatch):
    folder = tmp_path / "region_sources"
    folder.mkdir()
    (folder / "toy_register.yaml").write_text(TOY, encoding="utf-8")
    monkeypatch.setenv("EDU_QUALITY_SOURCES", str(folder))
    desc._all.cache_clear()
    yield folder
    monkeypatch.delenv("EDU_QUALITY_SOURCES")
    desc._all.cache_clear()


def test_a_toy_source_is_found_validated_and_loaded(toy_source, tmp_path, warehouse):
    year_dir = tmp_path / "inbox" / str(YEAR)
    write(year_dir, "schools.csv", [SCHOOLS_HEADER, "TT01;Школа 1;MT;Город;СОШ;городская;;;300",
                                    "TT02;Школа 2;MT;Город;СОШ;городская;;;200"])
    write(year_dir, "кружки_2311.csv", [
        "Год;Код ОО;Кружок;Направленность;Участников",
        f"{YEAR};TT01;Робототехника;техническая;12",
        f"{YEAR};TT02;Хор;художественная;30",
        f"{YEAR};TT01;Робототехника;техническая;14",      # the key again
        f"{YEAR};TT09;Шахматы;техническая;8",             # not in the schools reference
        f"{YEAR};TT02;Лепка;прикладная;5",                # outside the allowed set
        f"{YEAR - 1};TT02;Театр;художественная;много",    # another year, and not a number
    ])
    found = discover(tmp_path / "inbox", YEAR)
    assert found["toy_register"] == ["кружки_2311.csv"]
    ingest_file(warehouse, YEAR, "schools", year_dir / "schools.csv", "schools.csv")
    stats = ingest_file(warehouse, YEAR, "toy_register", year_dir / "кружки_2311.csv", "кружки_2311.csv")
    assert (stats.status, stats.rows_read, stats.rows_loaded, stats.rows_quarantined) == ("loaded", 6, 2, 4)
    with warehouse.connect() as conn:
        loaded = conn.execute(text("select school_code, club, focus, members from ext.toy_register "
                                   "where year = :y order by row_number"), {"y": YEAR}).all()
        reasons = dict(conn.execute(text("select row_number, reason from core.quarantine where load_id = :id"),
                                    {"id": stats.load_id}).all())
    assert [tuple(r) for r in loaded] == [("TT01", "Робототехника", "техническая", 12),
                                       ("TT02", "Хор", "художественная", 30)]
    assert reasons == {
        4: "«Кружок»: повтор ключа (в этом файле или в другом файле того же года)",
        5: "«Код ОО»: код ОО отсутствует в справочнике школ",
        6: "«Направленность»: значение не из допустимого списка",
        7: "«Участников»: значение не распознано как число или дата; «Год»: значение вне допустимого диапазона",
    }


def test_a_description_naming_an_unknown_column_is_refused(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text(TOY.replace("key: [school_code, club]", "key: [school_code, klub]"), encoding="utf-8")
    with pytest.raises(ValueError, match="key column 'klub' is not a column of the source"):
        desc.read_description(path)


def test_each_core_source_loads_into_columns_its_migration_created(warehouse):
    with warehouse.connect() as conn:
        for d in desc.descriptions().values():
            if not d.table.startswith("core."):
                continue
            schema, table = d.table.split(".")
            present = set(conn.execute(text(
                "select column_name from information_schema.columns where table_schema = :s and table_name = :t"),
                {"s": schema, "t": table}).scalars())
            assert set(d.load_columns()) | {"load_id", "row_number"} <= present, d.name
