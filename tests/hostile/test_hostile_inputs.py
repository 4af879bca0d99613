"""Inputs an operator or an attacker really produces (issue: nobody in, no school lost for one bad cell):
an oversized cell, a stray quote, a zip bomb beside padding, an 8-bit encoding the contract does not take,
one file under two names, a time-only cell in a date column, look-alike codes, a typo in one municipality
name, a municipality code shaped like a path — each gets one clear outcome, and the year goes on."""
from __future__ import annotations

import io
import os
import zipfile

import openpyxl
import pytest
from sqlalchemy import text

from edu_quality.pipeline.ingest import ingest_file
from tests.warehouse.helpers import SCALES_HEADER, SCHOOLS_HEADER, VPR_HEADER, vpr_row, write

YEAR = 2120
SCHOOL_ROWS = [f"H{i:04d};Школа {i};MO01;Город;СОШ;городская;Иванов И. И.;01.09.2015;300" for i in range(1, 4)]


def _references(root, warehouse, year, schools=None):
    write(root, "schools.csv", [SCHOOLS_HEADER, *(schools or SCHOOL_ROWS)])
    write(root, "vpr_scales.csv", [SCALES_HEADER, f"{year};Математика;5;10;3;6;9"])
    s = ingest_file(warehouse, year, "schools", root / "schools.csv", "schools.csv")
    ingest_file(warehouse, year, "vpr_scales", root / "vpr_scales.csv", "vpr_scales.csv")
    return s


def _rows(warehouse, sql, **params):
    with warehouse.connect() as conn:
        return conn.execute(text(sql), params).all()


def test_an_oversized_cell_rejects_its_file_and_the_next_file_still_loads(tmp_path, warehouse):
    year = YEAR
    _references(tmp_path, warehouse, year)
    huge = vpr_row("H0001", "P1", 2, 7, 5, 5).replace(";Школа;", ";" + "Ш" * (2 << 20) + ";")
    write(tmp_path, "vpr/big.csv", [VPR_HEADER, vpr_row("H0001", "P0", 2, 7, 5, 5), huge])
    write(tmp_path, "vpr/ok.csv", [VPR_HEADER, vpr_row("H0002", "P1", 2, 7, 5, 5)])
    big = ingest_file(warehouse, year, "vpr", tmp_path / "vpr/big.csv", "vpr/big.csv")
    ok = ingest_file(warehouse, year, "vpr", tmp_path / "vpr/ok.csv", "vpr/ok.csv")
    assert big.status == "rejected" and "строка 3: незакрытая кавычка или ячейка длиннее 1 МБ" in big.message
    assert (ok.status, ok.rows_loaded) == ("loaded", 1)
    assert _rows(warehouse, "select count(*) from core.vpr_result where load_id = :id", id=big.load_id)[0][0] == 0


def test_a_stray_quote_is_reported_never_merged(tmp_path, warehouse):
    year = YEAR + 1
    rows = [f"H{i:04d};Школа {i};MO01;Город;СОШ;городская;Иванов;01.09.2015;300" for i in range(1, 21)]
    rows[6] = 'H0007;"Школа 7;MO01;Город;СОШ;городская;Иванов;01.09.2015;300'  # the quote is never closed
    rows[9] = 'H0010;Школа "10;MO01;Город;СОШ;городская;Иванов;01.09.2015;300'
    write(tmp_path, "schools.csv", [SCHOOLS_HEADER, *rows])
    stats = ingest_file(warehouse, year, "schools", tmp_path / "schools.csv", "schools.csv")
    assert stats.status == "rejected", stats.message
    assert "строка 8: незакрытая кавычка" in stats.message
    # A ВПР protocol with one stray quote: rejected whole, nothing of it in quarantine (no names, no codes).
    _references(tmp_path, warehouse, year + 1)
    lines = [VPR_HEADER.replace("Вариант;", "Вариант;ФИО;")]
    lines += [vpr_row("H0001", f"P{i}", 2, 7, 5, 5).replace(";1;", ";1;Петров Пётр;", 1) for i in range(2000)]
    lines[500] = lines[500].replace("Петров Пётр", '"Петров Пётр')
    write(tmp_path, "vpr/quote.csv", lines)
    vpr = ingest_file(warehouse, year + 1, "vpr", tmp_path / "vpr/quote.csv", "vpr/quote.csv")
    assert vpr.status == "rejected" and "строка 501: незакрытая кавычка" in vpr.message
    assert _rows(warehouse, "select count(*) from core.quarantine q join core.load_log l using (load_id) "
                            "where l.year = :y and l.file_name = 'vpr/quote.csv'", y=year + 1)[0][0] == 0


def test_a_zip_bomb_beside_incompressible_padding_is_rejected(tmp_path, warehouse):
    book = openpyxl.Workbook()
    book.active.append(SCALES_HEADER.split(";"))
    buffer = io.BytesIO()
    book.save(buffer)
    path = tmp_path / "vpr_scales.xlsx"
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for item in src.infolist():
            z.writestr(item, src.read(item))
        z.writestr("xl/media/padding.bin", os.urandom(8 << 20))        # incompressible: lowers the file's ratio
        z.writestr("xl/media/bomb.xml", b"<a/>" * (64 << 20 >> 2))     # 64 MB of one repeated tag
    stats = ingest_file(warehouse, YEAR + 3, "vpr_scales", path, "vpr_scales.xlsx")
    assert stats.status == "rejected" and "zip-бомба" in stats.message and "xl/media/bomb.xml" in stats.message


@pytest.mark.parametrize("encoding,named", [("cp866", "CP866"), ("koi8_r", "KOI8-R"), ("mac_cyrillic", "Mac Cyrillic")])
def test_an_8bit_encoding_other_than_windows_1251_is_named_and_rejected(tmp_path, warehouse, encoding, named):
    path = write(tmp_path, "schools.csv", [SCHOOLS_HEADER, *SCHOOL_ROWS], encoding=encoding)
    stats = ingest_file(warehouse, YEAR + 4, "schools", path, "schools.csv")
    assert stats.status == "rejected" and f"в кодировке {named}" in stats.message


def test_one_file_under_two_names_counts_once(tmp_path, warehouse):
    year = YEAR + 5
    _references(tmp_path, warehouse, year)
    rows = [VPR_HEADER, *[vpr_row("H0001", f"P{i}", 2, 7, 5, 5) for i in range(10)]]
    write(tmp_path, "vpr/math5.csv", rows)
    write(tmp_path, "vpr/копия_math5.csv", rows)
    first = ingest_file(warehouse, year, "vpr", tmp_path / "vpr/math5.csv", "vpr/math5.csv")
    copy = ingest_file(warehouse, year, "vpr", tmp_path / "vpr/копия_math5.csv", "vpr/копия_math5.csv")
    assert first.rows_loaded == 10
    assert copy.status == "rejected" and "то же содержимое уже загружено как «vpr/math5.csv»" in copy.message
    assert _rows(warehouse, "select count(*) from core.vpr_result where year = :y", y=year)[0][0] == 10
    again = ingest_file(warehouse, year, "vpr", tmp_path / "vpr/math5.csv", "vpr/math5.csv")
    assert again.status == "skipped"  # a rerun of the first is not a copy of itself


def test_a_time_only_xlsx_cell_is_not_a_date(tmp_path, warehouse):
    import datetime

    book = openpyxl.Workbook()
    book.active.append(SCHOOLS_HEADER.split(";"))
    book.active.append(["H0001", "Школа 1", "MO01", "Город", "СОШ", "городская", "Иванов", datetime.time(8, 30), 300])
    path = tmp_path / "schools.xlsx"
    book.save(path)
    stats = ingest_file(warehouse, YEAR + 6, "schools", path, "schools.xlsx")
    assert (stats.rows_loaded, stats.rows_quarantined) == (1, 0)
    (appointed,) = _rows(warehouse, "select head_appointed_on from core.school where year = :y", y=YEAR + 6)[0]
    assert appointed is None  # not 1900-01-01
    issues = _rows(warehouse, "select column_name, rules from mart.data_issues where year = :y", y=YEAR + 6)
    assert [(c, list(r)) for c, r in issues] == [("Дата назначения руководителя", ["bad_type"])]


def test_look_alike_codes_are_named(tmp_path, warehouse):
    year = YEAR + 7
    _references(tmp_path, warehouse, year, SCHOOL_ROWS + ["Н0001;Двойник;MO01;Город;СОШ;городская;;;300"])
    write(tmp_path, "vpr/a.csv", [VPR_HEADER, vpr_row("H0001", "P1", 2, 7, 5, 5), vpr_row("h0002", "P2", 2, 7, 5, 5),
                                  vpr_row("Н0003", "P3", 2, 7, 5, 5)])
    stats = ingest_file(warehouse, year, "vpr", tmp_path / "vpr/a.csv", "vpr/a.csv")
    reasons = dict(_rows(warehouse, "select row_number, reason from core.quarantine where load_id = :id",
                         id=stats.load_id))
    assert reasons == {
        3: "«ОО»: код ОО отсутствует в справочнике школ: похоже на H0002: строчные буквы вместо прописных",
        4: "«ОО»: код ОО отсутствует в справочнике школ: похоже на H0003: кириллическая буква вместо латинской"}
    # In the reference itself, a Cyrillic twin of a code is the same school written twice.
    (reason,) = _rows(warehouse, "select q.reason from mart.quarantine q where q.year = :y and q.source = 'schools'",
                      y=year)[0]
    assert "повтор ключа" in reason and "похоже на H0001: кириллическая буква вместо латинской" in reason


def test_one_typo_in_a_municipality_name_is_the_odd_one_out(tmp_path, warehouse):
    year = YEAR + 8
    rows = [f"H{i:04d};Школа {i};MO01;Город Заречный;СОШ;городская;;;300" for i in range(1, 9)]
    rows.insert(0, "H0009;Школа 9;MO01;Город Заречнй;СОШ;городская;;;300")  # the typo comes first
    stats = _references(tmp_path, warehouse, year, rows)
    assert (stats.rows_loaded, stats.rows_quarantined) == (9, 0)
    assert _rows(warehouse, "select municipality_name from core.municipality where year = :y", y=year) == \
        [("Город Заречный",)]
    issues = _rows(warehouse, "select row_number, column_name, rules from mart.data_issues where year = :y", y=year)
    assert [(n, c, list(r)) for n, c, r in issues] == [(2, "Муниципальное образование", ["inconsistent_name"])]


def test_a_municipality_code_shaped_like_a_path_quarantines_its_row(tmp_path, warehouse):
    year = YEAR + 9
    rows = [*SCHOOL_ROWS, "H0004;Школа 4;../../x;Город;СОШ;городская;;;300",
            "H0005;Школа 5;/srv/x;Город;СОШ;городская;;;300"]
    stats = _references(tmp_path, warehouse, year, rows)
    assert (stats.rows_loaded, stats.rows_quarantined) == (3, 2)
    codes = _rows(warehouse, "select municipality_code from core.school where year = :y", y=year)
    assert {r[0] for r in codes} == {"MO01"}


def test_a_bad_cell_of_a_reference_row_keeps_the_school_and_its_results(tmp_path, warehouse):
    year = YEAR + 10
    rows = [*SCHOOL_ROWS, "H0004;Школа 4;MO01;Город;СОШ;городская;Сидоров;01.09.2190;300",  # date a century ahead
            "H-5;Школа 5;MO01;Город;СОШ;городская;;;300"]                                   # a malformed code
    stats = _references(tmp_path, warehouse, year, rows)
    assert (stats.rows_loaded, stats.rows_quarantined, stats.data_issues) == (4, 1, 1)
    write(tmp_path, "vpr/r.csv", [VPR_HEADER, vpr_row("H0004", "P1", 2, 7, 5, 5), vpr_row("H-5", "P2", 2, 7, 5, 5)])
    vpr = ingest_file(warehouse, year, "vpr", tmp_path / "vpr/r.csv", "vpr/r.csv")
    assert (vpr.rows_loaded, vpr.rows_quarantined) == (1, 1)
    (head, appointed), = _rows(warehouse, "select head_name, head_appointed_on from core.school "
                                          "where year = :y and school_code = 'H0004'", y=year)
    assert (head, appointed) == ("Сидоров", None)
    (issue,), = _rows(warehouse, "select reason from mart.data_issues where year = :y", y=year)
    assert issue.startswith("«Дата назначения руководителя»: дата в будущем") and "строка сохранена" in issue
    (reason,), = _rows(warehouse, "select reason from core.quarantine where load_id = :id", id=vpr.load_id)
    assert reason.startswith("«ОО»: строка школы в справочнике отклонена: «Код ОО»: значение не соответствует формату")


def test_every_file_of_the_inbox_is_accounted_for(tmp_path, warehouse):
    from edu_quality.pipeline import steps
    from edu_quality.pipeline.inbox import discover

    year = YEAR + 11
    inbox = tmp_path / "inbox"
    root = inbox / str(year)
    write(root, "schools.csv", [SCHOOLS_HEADER, *SCHOOL_ROWS])
    outside = write(tmp_path / "elsewhere", "vpr_scales.csv", [SCALES_HEADER, f"{year};Математика;5;10;3;6;9"])
    (root / "vpr_scales.csv").symlink_to(outside)                 # a link out of the inbox: never followed
    write(root, "_manifest.json", ["{}"])                           # the operator's own file
    write(root, ".~lock.schools.csv#", ["x"])                       # an editor's lock file
    write(root, "отчёт директора.docx", ["x"])                     # a file nobody described
    write(root, "vpr/old/vpr_2019.csv", ["x"])                     # a folder source's subfolder is not read
    write(root, "gia.csv", ["x"])                                   # gia/ is a folder
    assert discover(inbox, year)["vpr_scales"] == []
    steps.withdraw_absent(str(inbox), year)
    rows = {f: (s, st) for f, s, st in _rows(warehouse, "select file_name, source, status from mart.inbox_files "
                                                        "where year = :y", y=year)}
    assert rows == {
        "schools.csv": ("schools", "source"),
        "vpr_scales.csv": (None, "link_outside"),
        "_manifest.json": (None, "own_file"),
        ".~lock.schools.csv#": (None, "own_file"),
        "отчёт директора.docx": (None, "not_recognised"),
        "vpr/old/vpr_2019.csv": (None, "not_recognised"),
        "gia.csv": (None, "not_recognised"),
    }
    (reason,), = _rows(warehouse, "select reason_ru from mart.inbox_files where year = :y and file_name = 'gia.csv'",
                       y=year)
    assert reason.startswith("файл не распознан ни как один источник; ожидается: schools.*, vpr_scales.*")
    assert "gia/*" in reason


def test_a_work_two_files_hold_is_loaded_once_and_the_repeat_names_the_first(tmp_path, warehouse):
    year = YEAR + 12
    _references(tmp_path, warehouse, year)
    write(tmp_path, "vpr/a.csv", [VPR_HEADER, *[vpr_row("H0001", f"P{i}", 2, 7, 5, 5) for i in range(5)]])
    write(tmp_path, "vpr/b.csv", [VPR_HEADER, vpr_row("H0001", "P3", 2, 7, 5, 5), vpr_row("H0001", "P9", 2, 7, 5, 5)])
    a = ingest_file(warehouse, year, "vpr", tmp_path / "vpr/a.csv", "vpr/a.csv")
    b = ingest_file(warehouse, year, "vpr", tmp_path / "vpr/b.csv", "vpr/b.csv")
    assert (a.rows_loaded, b.rows_read, b.rows_loaded, b.rows_quarantined) == (5, 2, 1, 1)
    (row, reason, raw), = _rows(warehouse, "select row_number, reason, raw from core.quarantine where load_id = :id",
                                id=b.load_id)
    assert row == 2 and reason.endswith("эта же запись уже загружена из файла «vpr/a.csv»")
    assert raw["school_code"] == "H0001" and "P3" not in str(raw)
    assert _rows(warehouse, "select count(*) from core.vpr_result where year = :y", y=year)[0][0] == 6
    logged = _rows(warehouse, "select rows_read, rows_loaded, rows_quarantined from core.load_log where load_id = :id",
                   id=b.load_id)
    assert [tuple(r) for r in logged] == [(2, 1, 1)]
    # A new version of the first file replaces its own rows (they are no repeats of themselves); it repeats
    # nothing b.csv holds (b.csv's P3 went to quarantine, its P9 is not in a.csv).
    write(tmp_path, "vpr/a.csv", [VPR_HEADER, *[vpr_row("H0001", f"P{i}", 2, 7, 5, 5) for i in range(6)]])
    again = ingest_file(warehouse, year, "vpr", tmp_path / "vpr/a.csv", "vpr/a.csv")
    assert (again.rows_loaded, again.rows_quarantined) == (6, 0)
    assert _rows(warehouse, "select count(*) from core.vpr_result where year = :y", y=year)[0][0] == 7


@pytest.mark.parametrize("name", ["=HYPERLINK(\"http://x\",\"Школа\")", "+1+1", "-2+3", "@SUM(A1)",
                                  "\tШкола", "\rШкола"])
def test_a_list_cell_that_looks_like_a_formula_stays_text(tmp_path, name):
    import csv

    from edu_quality.pipeline.steps import _write_csv

    path = _write_csv(tmp_path / "list.csv", ["Код ОО", "Наименование ОО", "Дней до срока"], [["H0001", name, -3]])
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f, delimiter=";"))
    assert rows[1] == ["H0001", "'" + name, "-3"]  # the number stays a number
