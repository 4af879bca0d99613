"""The hostile-files corpus (tests/hostile/files, built by build_corpus.py): each file's exact outcome —
rejected whole with which message, or loaded with which rows quarantined for which rules — and the
warehouse intact afterwards."""
from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import text

from edu_quality.pipeline.ingest import ingest_file

FILES = Path(__file__).parent / "files"
BASE_YEAR = 2070

REJECTED = {  # file → words of the one message
    "schools_koi8r.csv": "в кодировке KOI8-R",
    "vpr_binary_garbage.csv": "двоичные данные",
    "vpr_scales_truncated.xlsx": "повреждён",
    "vpr_zip_bomb.xlsx": "zip-бомба",
    "schools_empty.csv": "файл пуст",
    "schools_blank_lines_only.csv": "не найдена строка заголовка",
    "vpr_scales_duplicated_header.csv": "столбец «Год» повторяется",
    "vpr_scales_missing_header.csv": "нет обязательных столбцов: «Максимальный балл»",
    "vpr_html_error_page.csv": "не найдена строка заголовка",
    "vpr_report.docx": "формат «.docx» не поддерживается",
    "vpr_really_xlsx.csv": "на самом деле XLSX",
    "vpr_scales_titles_only.xlsx": "не найдена строка заголовка",
    "vpr_nul_in_middle.csv": "двоичные данные",
}
LOADED = {  # file → (rows read, {row number: quarantine rules})
    "vpr_header_only.csv": (0, {}),
    "vpr_scales_shifted_columns.csv": (2, {3: ["extra_cells"]}),
    "schools_huge_numbers.csv": (2, {}),
    "schools_negative_counts.csv": (2, {}),
    "vpr_scales_formulas.xlsx": (2, {3: ["required_missing"]}),
    "schools_dates_in_future.csv": (2, {}),
    "vpr_unknown_schools.csv": (2, {3: ["unknown_school"]}),
    "schools_sql_injection.csv": (1, {}),
    "schools_quotes_in_names.csv": (1, {}),
    "schools_emoji_and_script.csv": (1, {}),
    "schools_utf16.csv": (1, {}),
    "ВПР 5 класс математика (итог).csv": (1, {}),
    "vpr_numbers_with_letters.csv": (2, {3: ["bad_type"]}),
    "vpr_mark_against_scale.csv": (2, {3: ["mark_scale_mismatch"]}),
    "vpr_duplicate_participant.csv": (2, {3: ["duplicate_key"]}),
    "vpr_all_rows_bad.csv": (2, {2: ["unknown_school"], 3: ["unknown_school"]}),
    "vpr_crlf_bom_trailing.csv": (1, {}),
    "vpr_long_cell.csv": (2, {}),
    "vpr_personal_data.csv": (1, {}),
    "vpr_class_mismatch.csv": (2, {3: ["class_grade_mismatch"]}),
}
# A reference row whose key is sound keeps its school: file → {row: rules of its cells loaded empty}.
DATA_ISSUES = {
    "schools_huge_numbers.csv": {3: ["bad_type"]},
    "schools_negative_counts.csv": {3: ["out_of_range"]},
    "schools_dates_in_future.csv": {3: ["date_in_future"]},
}
SCHOOLS = ("Код ОО;Наименование ОО;Код МО;Муниципальное образование;Тип ОО;Местность;Руководитель;"
           "Дата назначения руководителя;Численность обучающихся\nH0001;Школа 1;MO01;Город;СОШ;городская;"
           "Иванов И. И.;01.09.2015;300\n")


def _source(name: str) -> str:
    return "schools" if name.startswith("schools") else "vpr_scales" if name.startswith("vpr_scales") else "vpr"


def test_the_corpus_is_complete():
    on_disk = {p.name for p in FILES.iterdir()}
    assert on_disk == set(REJECTED) | set(LOADED)
    assert len(on_disk) >= 30


CORPUS = sorted(set(REJECTED) | set(LOADED))


def _load(index: int, name: str, folder: Path, warehouse, runner):
    year = BASE_YEAR + index
    source = _source(name)
    folder.mkdir()
    if source == "vpr":  # references the rows point at
        (folder / "schools.csv").write_text(SCHOOLS, encoding="utf-8")
        (folder / "vpr_scales.csv").write_text(
            "Год;Предмет;Параллель;Максимальный балл;Граница «3»;Граница «4»;Граница «5»\n"
            f"{year};Математика;5;10;3;6;9\n", encoding="utf-8")
        ingest_file(warehouse, year, "schools", folder / "schools.csv", "schools.csv", runner)
        ingest_file(warehouse, year, "vpr_scales", folder / "vpr_scales.csv", "vpr_scales.csv", runner)
    path = folder / name
    content = (FILES / name).read_bytes()
    if source == "vpr_scales":  # the corpus writes 2024 as the scales' year
        content = content.replace(b"2024", str(year).encode())
    path.write_bytes(content)
    if source == "vpr_scales" and name.endswith(".xlsx") and name not in REJECTED:
        book = openpyxl.load_workbook(path)
        for row in book.active.iter_rows():
            for cell in row:
                if cell.value == 2024:
                    cell.value = year
        book.save(path)
    stats = ingest_file(warehouse, year, source, path, name, runner)
    with warehouse.connect() as conn:
        quarantined = {r.row_number: list(r.rules) for r in conn.execute(text(
            "select row_number, rules from core.quarantine where load_id = :id"), {"id": stats.load_id})}
        issues = {r.row_number: list(r.rules) for r in conn.execute(text(
            "select row_number, rules from core.data_issue where load_id = :id"), {"id": stats.load_id})}
    return stats, quarantined, issues


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, warehouse, runner) -> dict:
    """Every file of the corpus loaded, each into a year of its own (with the references its rows point at):
    what each load said and left. The tests below read it, so each of them runs alone or in any order."""
    root = tmp_path_factory.mktemp("hostile-corpus")
    return {name: _load(index, name, root / f"f{index:02d}", warehouse, runner) for index, name in enumerate(CORPUS)}


@pytest.mark.parametrize("name", CORPUS)
def test_each_hostile_file(name, corpus):
    stats, quarantined, issues = corpus[name]
    assert issues == DATA_ISSUES.get(name, {})
    if name in REJECTED:
        assert stats.status == "rejected"
        assert REJECTED[name] in stats.message and name in stats.message
        assert stats.rows_loaded == 0 and quarantined == {}
    else:
        rows, expected = LOADED[name]
        assert stats.status == "loaded", stats.message
        assert (stats.rows_read, stats.rows_quarantined, quarantined) == (rows, len(expected), expected)
        assert stats.rows_loaded == rows - len(expected)


def test_warehouse_intact_and_hostile_text_stored_literally(corpus, warehouse):
    with warehouse.connect() as conn:
        names = [r[0] for r in conn.execute(text(
            "select school_name from core.school where year between :a and :b"),
            {"a": BASE_YEAR, "b": BASE_YEAR + 40})]
        tables = conn.execute(text("select count(*) from information_schema.tables "
                                   "where table_schema = 'core' and table_name in ('school', 'vpr_result')")
                              ).scalar_one()
        heads = [r[0] for r in conn.execute(text("select head_name from core.school where head_name like 'Robert%'"))]
    assert tables == 2
    assert "'); DROP TABLE core.school; --" in names
    assert 'МБОУ "Лицей № 1" им. "Пушкина"' in names
    assert "Школа 🌟 <script>alert(1)</script>" in names
    assert heads == ["Robert'); DROP TABLE core.vpr_result;--"]


def test_personal_data_columns_never_stored(corpus, warehouse):
    with warehouse.connect() as conn:
        dropped = conn.execute(text("select dropped_columns from core.load_log "
                                    "where file_name = 'vpr_personal_data.csv' order by load_id desc limit 1")
                               ).scalar_one()
        leaked = conn.execute(text("select count(*) from core.quarantine where raw::text like '%Иванов Иван%' "
                                   "or raw::text like '%123-456-789%'")).scalar_one()
    assert dropped == ["ФИО", "СНИЛС", "Дата рождения"]
    assert leaked == 0


def test_quarantined_rows_keep_participant_codes_only_as_keyed_hashes(corpus, warehouse):
    from edu_quality.sources.privacy import keyed_hash

    with warehouse.connect() as conn:
        codes = [r[0] for r in conn.execute(text(
            "select q.raw ->> 'Код участника' from core.quarantine q join core.load_log l using (load_id) "
            "where l.file_name = 'vpr_class_mismatch.csv' and l.status = 'loaded'"))]
    assert codes, "the class-mismatch file quarantines rows"
    assert "P2" not in codes
    assert keyed_hash(pd.Series(["P2"])).iloc[0] in codes
