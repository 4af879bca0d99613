"""A second format of the contract's own data, mapped by its description alone: ВПР protocols whose headers are
not the contract's (include/sources/vpr_export.yaml) load into the same table core.vpr_result, with the same
rules, quarantine and indicators as the contract's file of the same works."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from edu_quality.indicators.compute import compute_year
from edu_quality.pipeline.inbox import discover
from edu_quality.pipeline.ingest import ingest_file
from edu_quality.sources.registry import description

from .helpers import SCALES_HEADER, SCHOOLS_HEADER, VPR_HEADER, vpr_row, write

CONTRACT_YEAR, EXPORT_YEAR = 2041, 2042
EXPORT_HEADERS = {"Муниципалитет": "Район", "ОО": "Код ОО", "Название ОО": "Наименование ОО",
                  "Предмет": "Учебный предмет", "Параллель": "Класс (параллель)", "Класс": "Класс обучающегося",
                  "Код участника": "Код работы", "Вариант": "Номер варианта",
                  "Первичный балл": "Сумма первичных баллов", "Отметка": "Отметка за работу",
                  "Отметка по журналу": "Отметка за предыдущий период"}
ROWS = [vpr_row("C0001", "W1", 1, 1, 2, 3), vpr_row("C0001", "W2", 2, 5, 4, 4), vpr_row("C0001", "W3", 2, 8, 5, 5),
        vpr_row("C0002", "W4", 1, 5, 4, 3), vpr_row("C0002", "W5", 2, 7, 5, 4),
        vpr_row("C0002", "W6", 1, 1, 3, 3, primary=5)]   # the sum of the tasks is 2, not 5: quarantined


def _export_header() -> str:
    return ";".join(EXPORT_HEADERS.get(h, h) for h in VPR_HEADER.split(";"))


@pytest.fixture(scope="module")
def loads(tmp_path_factory, warehouse):
    root = tmp_path_factory.mktemp("vpr-export")
    out = {}
    for year, source, folder, header in ((CONTRACT_YEAR, "vpr", "vpr", VPR_HEADER),
                                         (EXPORT_YEAR, "vpr_export", "vpr_export", _export_header())):
        write(root / str(year), "schools.csv", [SCHOOLS_HEADER, "C0001;Школа 1;MO01;Город;СОШ;городская;А. А. Иванов;"
                                                "01.09.2015;300", "C0002;Школа 2;MO01;Город;СОШ;городская;Б. Б. Петров;"
                                                "01.09.2015;200"])
        write(root / str(year), "vpr_scales.csv", [SCALES_HEADER, f"{year};Математика;5;10;3;6;9"])
        write(root / str(year), f"{folder}/protocol.csv", [header, *ROWS])
        for ref in ("schools", "vpr_scales"):
            ingest_file(warehouse, year, ref, root / str(year) / f"{ref}.csv", f"{ref}.csv")
        found = discover(root, year)
        assert found[source] == [f"{folder}/protocol.csv"] and not found[{"vpr": "vpr_export"}.get(source, "vpr")]
        out[source] = ingest_file(warehouse, year, source, root / str(year) / found[source][0], found[source][0])
        compute_year(warehouse, year)
    return out


def test_the_export_is_described_with_its_own_headers_and_the_contracts_columns():
    contract, export = description("vpr"), description("vpr_export")
    assert export.format_of == "vpr" and export.table == contract.table
    assert export.load == contract.load and export.prepare == contract.prepare
    assert [c.name for c in export.columns] == [c.name for c in contract.columns]
    assert [c.header for c in export.columns] == [EXPORT_HEADERS[c.header] for c in contract.columns]


def test_same_rows_in_the_same_table(loads, warehouse):
    for stats in loads.values():
        assert (stats.rows_read, stats.rows_loaded, stats.rows_quarantined) == (6, 5, 1)
    columns = ("school_code, subject, grade, class_label, participant_hash, variant, primary_score, mark, "
               "journal_mark, task_scores::text")
    with warehouse.connect() as conn:
        rows = {y: conn.execute(text(f"select {columns} from core.vpr_result where year = :y "
                                     "order by participant_hash"), {"y": y}).all()
                for y in (CONTRACT_YEAR, EXPORT_YEAR)}
        quarantine = {y: conn.execute(text("select row_number, column_name, rules from mart.quarantine where year = :y "
                                           "and source like 'vpr%'"), {"y": y}).all()
                      for y in (CONTRACT_YEAR, EXPORT_YEAR)}
    assert len(rows[CONTRACT_YEAR]) == 5 and rows[EXPORT_YEAR] == rows[CONTRACT_YEAR]
    # The bad row is blamed on the export's own header.
    assert [(r.row_number, r.rules) for r in quarantine[EXPORT_YEAR]] == [
        (r.row_number, r.rules) for r in quarantine[CONTRACT_YEAR]]
    assert {r.column_name for r in quarantine[CONTRACT_YEAR]} == {"Первичный балл"}
    assert {r.column_name for r in quarantine[EXPORT_YEAR]} == {"Сумма первичных баллов"}


def test_same_indicators(loads, warehouse):
    with warehouse.connect() as conn:
        values = {y: conn.execute(text(
            "select level, unit_code, indicator_code, value, numerator, denominator from mart.indicator_values "
            "where year = :y and indicator_code like 'vpr_%' order by 1, 2, 3"), {"y": y}).all()
            for y in (CONTRACT_YEAR, EXPORT_YEAR)}
    assert values[EXPORT_YEAR] == values[CONTRACT_YEAR]
    share_2 = {(r.level, r.unit_code): r for r in values[EXPORT_YEAR] if r.indicator_code == "vpr_share_mark_2"}
    assert (int(share_2[("region", "region")].numerator), int(share_2[("region", "region")].denominator)) == (1, 5)
