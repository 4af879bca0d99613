"""Writes the hostile-files corpus under tests/hostile/files/ (committed; rerun to rebuild).

Each file is something a real inbox has received or could receive: wrong encodings, garbage, broken
or malicious spreadsheets, shifted columns, hostile text. expected.yaml says what must happen to each.
Run: .venv/bin/python tests/hostile/build_corpus.py
"""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl

OUT = Path(__file__).parent / "files"
SCHOOLS = ("Код ОО;Наименование ОО;Код МО;Муниципальное образование;Тип ОО;Местность;Руководитель;"
           "Дата назначения руководителя;Численность обучающихся")
GOOD_SCHOOL = "H0001;Школа 1;MO01;Город;СОШ;городская;Иванов И. И.;01.09.2015;300"
SCALES = "Год;Предмет;Параллель;Максимальный балл;Граница «3»;Граница «4»;Граница «5»"
VPR = ("Муниципалитет;ОО;Название ОО;Предмет;Параллель;Класс;Код участника;Вариант;1 (2б);2 (8б);"
       "Первичный балл;Отметка;Отметка по журналу")


def vpr(school="H0001", pid="P1", t1="2", t2="7", score="9", mark="5", journal="5", cls="5А") -> str:
    return ";".join(["Город", school, "Школа", "Математика", "5", cls, pid, "1", t1, t2, score, mark, journal])


def text(name: str, lines: list[str], encoding: str = "utf-8", newline: str = "\n") -> None:
    (OUT / name).write_bytes((newline.join(lines) + newline).encode(encoding))


def xlsx(name: str, rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    (OUT / name).write_bytes(buffer.getvalue())
    return buffer.getvalue()


def main() -> None:
    OUT.mkdir(exist_ok=True)
    for old in OUT.iterdir():
        old.unlink()
    # --- rejected whole ---
    text("schools_koi8r.csv", [SCHOOLS, GOOD_SCHOOL], encoding="koi8_r")
    (OUT / "vpr_binary_garbage.csv").write_bytes(bytes(range(256)) * 20)
    good = xlsx("tmp.xlsx", [SCALES.split(";"), [2024, "Математика", 5, 10, 3, 6, 9]])
    (OUT / "tmp.xlsx").unlink()
    (OUT / "vpr_scales_truncated.xlsx").write_bytes(good[: len(good) // 2])
    with zipfile.ZipFile(OUT / "vpr_zip_bomb.xlsx", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (64 << 20))  # 64 MiB of zeros, ~64 KiB packed
    (OUT / "schools_empty.csv").write_bytes(b"")
    text("schools_blank_lines_only.csv", ["", "   ", ";;;", ""])
    text("vpr_scales_duplicated_header.csv", [SCALES.replace("Предмет", "Год"), "2024;2024;5;10;3;6;9"])
    text("vpr_scales_missing_header.csv", ["Год;Предмет;Параллель", "2024;Математика;5"])
    text("vpr_html_error_page.csv", ["<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>",
                                    "<body><h1>502 Bad Gateway</h1></body></html>"])
    (OUT / "vpr_report.docx").write_bytes(b"PK\x03\x04" + b"\0" * 100)
    text("vpr_really_xlsx.csv", ["x"])
    (OUT / "vpr_really_xlsx.csv").write_bytes(good)
    text("schools_utf16.csv", [SCHOOLS, GOOD_SCHOOL], encoding="utf-16")  # loads: the BOM says what it is
    xlsx("vpr_scales_titles_only.xlsx", [["Шкалы перевода"], ["Год 2024"], []])
    text("vpr_nul_in_middle.csv", [VPR, vpr(), "Город;H0001;Шк\0ола;Математика;5;5А;P2;1;2;7;9;5;5"])
    # --- loaded, with exactly these rows quarantined ---
    text("vpr_header_only.csv", [VPR])
    text("vpr_scales_shifted_columns.csv", [SCALES, "2024;Математика;5;10;3;6;9",
                                            "2024;Русский язык;5;45;17;29;38;лишнее"])
    text("schools_huge_numbers.csv", [SCHOOLS, GOOD_SCHOOL, "H0002;Школа 2;MO01;Город;СОШ;городская;П. П.;01.09.2015;"
                                      "99999999999999999999999999"])
    text("schools_negative_counts.csv", [SCHOOLS, GOOD_SCHOOL,
                                         "H0002;Школа 2;MO01;Город;СОШ;городская;П. П.;01.09.2015;-5"])
    xlsx("vpr_scales_formulas.xlsx", [SCALES.split(";"), [2024, "Математика", 5, 10, 3, 6, 9],
                                      [2024, "Русский язык", 5, "=40+5", "=SUM(A1:A2)", 29, 38]])
    text("schools_dates_in_future.csv", [SCHOOLS, GOOD_SCHOOL,
                                         "H0002;Школа 2;MO01;Город;СОШ;городская;П. П.;01.09.2199;300"])
    text("vpr_unknown_schools.csv", [VPR, vpr(), vpr(school="ZZ9999", pid="P2")])
    text("schools_sql_injection.csv", [SCHOOLS, "H0001;\"'); DROP TABLE core.school; --\";MO01;Город;СОШ;городская;"
                                       "\"Robert'); DROP TABLE core.vpr_result;--\";01.09.2015;300"])
    text("schools_quotes_in_names.csv", [SCHOOLS, 'H0001;"МБОУ ""Лицей № 1"" им. ""Пушкина""";MO01;Город;лицей;'
                                         'городская;"О\'Коннор Д.";01.09.2015;300'])
    text("schools_emoji_and_script.csv", [SCHOOLS, "H0001;Школа 🌟 <script>alert(1)</script>;MO01;Город;СОШ;"
                                          "городская;Иванов;01.09.2015;300"])
    text("ВПР 5 класс математика (итог).csv", [VPR, vpr()])
    text("vpr_numbers_with_letters.csv", [VPR, vpr(), vpr(pid="P2", t1="2a")])
    text("vpr_mark_against_scale.csv", [VPR, vpr(), vpr(pid="P2", mark="4")])
    text("vpr_duplicate_participant.csv", [VPR, vpr(), vpr(t1="1", score="8", mark="4")])
    text("vpr_all_rows_bad.csv", [VPR, vpr(school="ZZ0001"), vpr(school="ZZ0002", pid="P2")])
    text("vpr_crlf_bom_trailing.csv", [VPR + ";", vpr() + ";"], encoding="utf-8-sig", newline="\r\n")
    text("vpr_long_cell.csv", [VPR, vpr(), vpr(pid="P" + "9" * 200_000)])
    text("vpr_personal_data.csv", [VPR.replace("Вариант;", "Вариант;ФИО;СНИЛС;Дата рождения;"),
                                   vpr().replace(";1;2;7", ";1;Иванов Иван Иванович;123-456-789 01;01.01.2013;2;7")])
    text("vpr_class_mismatch.csv", [VPR, vpr(), vpr(pid="P2", cls="6Б")])


if __name__ == "__main__":
    main()
