import openpyxl
import pytest

from edu_quality.sources.contract import SCHOOLS, VPR_SCALES
from edu_quality.sources.files import FileRejected, inspect, iter_chunks

HEADER = "Год;Предмет;Параллель;Максимальный балл;Граница «3»;Граница «4»;Граница «5»"


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("encoding,delimiter", [("utf-8", ";"), ("utf-8-sig", ","), ("cp1251", "\t"),
                                                ("cp1251", ";")])
def test_encoding_and_delimiter_are_detected(tmp_path, encoding, delimiter):
    text = (HEADER.replace(";", delimiter) + "\n" + delimiter.join(
        ["2025", "Русский язык", "4", "38", "14", "24", "33"]) + "\n\n")
    shape = inspect(write(tmp_path, "vpr_scales.csv", text, encoding), VPR_SCALES)
    assert shape.delimiter == delimiter
    assert shape.encoding == ("utf-8" if encoding == "utf-8" else encoding)
    rows = list(iter_chunks(shape))[0]
    assert rows["c1"].tolist() == ["Русский язык"]
    assert rows["_row"].tolist() == [2]


def test_row_numbers_are_physical_lines_with_blank_lines_and_quotes(tmp_path):
    text = HEADER + "\n\n2025;Математика;4;20;6;10;15\n" + '2025;"Мате""матика";5;20;6;10;15;\n'
    shape = inspect(write(tmp_path, "vpr_scales.csv", text), VPR_SCALES)
    frame = list(iter_chunks(shape))[0]
    assert frame["_row"].tolist() == [3, 4]
    assert frame["c1"].tolist() == ["Математика", 'Мате"матика']


def test_xlsx_with_title_rows(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Шкалы перевода ВПР 2025"])
    sheet.append([])
    sheet.append(HEADER.split(";"))
    sheet.append([2025, "Математика", 4, 20, 6, 10, 15])
    path = tmp_path / "vpr_scales.xlsx"
    book.save(path)
    shape = inspect(path, VPR_SCALES)
    assert shape.header_row == 3
    frame = list(iter_chunks(shape))[0]
    assert frame["_row"].tolist() == [4]
    assert frame["c3"].tolist() == ["20"]


@pytest.mark.parametrize("content,message", [
    (b"", "пуст"),
    (b"\x00\x01\x02garbage\x00", "двоичные"),
    ("Код;Название\n1;2\n".encode(), "заголовка"),
    ("Год;Предмет;Параллель\n2025;Математика;4\n".encode(), "нет обязательных столбцов"),
    (b"PK\x03\x04not really", "XLSX"),
])
def test_unreadable_files_are_rejected_with_one_clear_message(tmp_path, content, message):
    path = tmp_path / "vpr_scales.csv"
    path.write_bytes(content)
    with pytest.raises(FileRejected) as err:
        inspect(path, VPR_SCALES)
    assert message in err.value.reason_ru
    assert err.value.file_name == "vpr_scales.csv"


def test_truncated_xlsx_is_rejected(tmp_path):
    book = openpyxl.Workbook()
    book.active.append([c.header for c in SCHOOLS.columns])
    path = tmp_path / "schools.xlsx"
    book.save(path)
    path.write_bytes(path.read_bytes()[:300])
    with pytest.raises(FileRejected):
        inspect(path, SCHOOLS)
