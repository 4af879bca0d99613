"""Opening a source file as it really comes: detect format, encoding, delimiter and the header row,
then stream its data rows in chunks with their physical row numbers.

A file that cannot be read at all raises FileRejected with one message naming the file and the
problem; nothing from it is loaded.
"""
from __future__ import annotations

import codecs
import csv
import datetime
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from edu_quality.sources import headers as hdr
from edu_quality.sources.contract import Source

HEADER_SEARCH_ROWS = 30
DELIMITERS = (";", ",", "\t")
_BLOCK = 1 << 20
# A real XLSX of results is compressed ~5-20x; far beyond that is a zip bomb, not a spreadsheet. Each
# member is judged on its own (a bomb beside an incompressible padding member passes a whole-file ratio);
# members under MIN_RATIO_MEMBER are too small to matter whatever their ratio.
MAX_XLSX_UNCOMPRESSED = 2 << 30
MAX_XLSX_RATIO = 200
MIN_RATIO_MEMBER = 1 << 20
# A cell of a megabyte (thirty times what an Excel cell holds) or a row of four is a broken file or an
# unclosed quote, never data: the file is rejected with the line instead of being read into memory.
MAX_CELL_CHARS = 1 << 20
MAX_ROW_CHARS = 4 << 20
# A quoted cell may hold line breaks (a comment typed in a form), but a cell that swallows more than this
# many lines, or a line that looks like a row of the table (it holds delimiters), is an unclosed quote.
MAX_LINES_PER_ROW = 10

csv.field_size_limit(MAX_CELL_CHARS + 1)


class FileRejected(Exception):
    """The whole file is unreadable for the contract; `reason_ru` is what the operator reads."""

    def __init__(self, file_name: str, reason_ru: str, reason_en: str):
        super().__init__(f"{file_name}: {reason_en}")
        self.file_name = file_name
        self.reason_ru = reason_ru
        self.reason_en = reason_en


@dataclass
class FileShape:
    path: Path
    format: str                  # csv | xlsx
    encoding: str | None = None
    delimiter: str | None = None
    header_row: int = 1          # physical 1-based row number of the header
    headers: list[str] = field(default_factory=list)


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) when the whole file decodes strictly; otherwise Windows-1251."""
    with path.open("rb") as f:
        head = f.read(4)
        if head.startswith(codecs.BOM_UTF8):
            encoding = "utf-8-sig"
        elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        else:
            encoding = "utf-8"
        f.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")("strict")
        saw_nul = False
        try:
            while block := f.read(_BLOCK):
                saw_nul = saw_nul or b"\x00" in block
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            encoding = "cp1251"
    if saw_nul:
        raise FileRejected(path.name, "файл содержит двоичные данные, а не текст таблицы",
                           "file holds binary data, not a text table")
    if encoding == "cp1251":
        # cp1251 decodes almost any byte; 0x98 is its one hole and marks a file that is not cp1251.
        with path.open("rb") as f:
            while block := f.read(_BLOCK):
                if b"\x98" in block:
                    _reject_other_encoding(path, block)
        _check_cp1251(path)
    return encoding


# 8-bit Cyrillic encodings a file may really be in; the contract accepts only Windows-1251 among them.
OTHER_CYRILLIC = {"koi8_r": "KOI8-R", "koi8_u": "KOI8-U", "cp866": "CP866 (DOS)", "mac_cyrillic": "Mac Cyrillic",
                  "iso8859_5": "ISO 8859-5", "cp855": "CP855"}


def _check_cp1251(path: Path) -> None:
    """Russian text read as cp1251 is mostly lower-case letters. KOI8-R read as cp1251 turns case over,
    CP866 gives Latin-1 letters and box-drawing: a sample that reads implausibly gets a second opinion
    from charset-normalizer, and a file that is really in another 8-bit encoding is rejected by name."""
    with path.open("rb") as f:
        sample = f.read(_BLOCK)
    text = sample.decode("cp1251", errors="replace")
    cyrillic = [ch for ch in text if "А" <= ch <= "я" or ch in "Ёё"]
    high = [ch for ch in text if ord(ch) > 127]
    lower = sum(1 for ch in cyrillic if ch.islower())
    if len(high) < 20 or (len(cyrillic) >= 0.9 * len(high) and lower >= 0.5 * len(cyrillic)):
        return
    _reject_other_encoding(path, sample)


def _reject_other_encoding(path: Path, sample: bytes) -> None:
    from charset_normalizer import from_bytes

    best = from_bytes(sample, cp_isolation=["cp1251", *OTHER_CYRILLIC]).best()
    guess = best.encoding if best is not None else None
    if guess in OTHER_CYRILLIC:
        raise FileRejected(path.name, f"файл в кодировке {OTHER_CYRILLIC[guess]}, а не Windows-1251 или UTF-8: "
                                      "пересохраните его в UTF-8",
                           f"file is in {OTHER_CYRILLIC[guess]}, not Windows-1251 or UTF-8")
    if guess != "cp1251" or b"\x98" in sample:
        raise FileRejected(path.name, "кодировка файла не распознана (ожидается UTF-8 или Windows-1251)",
                           "encoding not recognised (expected UTF-8 or Windows-1251)")


def _score_header(cells: list[str], source: Source) -> int:
    return len(hdr.match_columns(cells, source))


def _find_header(rows: list[list[str]], source: Source) -> tuple[int, int]:
    """(index of the best header row, number of contract headers it holds)."""
    best, best_score = 0, -1
    for i, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
        score = _score_header(cells, source)
        if score > best_score:
            best, best_score = i, score
    return best, best_score


def _check_required(shape: FileShape, source: Source) -> None:
    wanted = {hdr.normalize(c.header): c.header for c in source.columns}
    seen: set[str] = set()
    for h in shape.headers:
        key = hdr.normalize(h)
        if key in wanted and key in seen:
            # Two columns claim the same meaning: which one holds the data is anyone's guess.
            raise FileRejected(shape.path.name, f"столбец «{wanted[key]}» повторяется в заголовке",
                               f"header {wanted[key]!r} appears twice")
        seen.add(key)
    missing = hdr.missing_required(shape.headers, source)
    if missing:
        names = ", ".join(f"«{m}»" for m in missing)
        raise FileRejected(shape.path.name,
                           f"нет обязательных столбцов: {names} (строка заголовка {shape.header_row})",
                           f"missing required headers: {', '.join(missing)} (header row {shape.header_row})")


def _inspect_text(path: Path, source: Source) -> FileShape:
    encoding = detect_encoding(path)
    with path.open("r", encoding=encoding, newline="") as f:
        sample_lines = []
        for number in range(1, HEADER_SEARCH_ROWS + 1):
            line = f.readline(MAX_CELL_CHARS)  # bounded: one endless line must not be read whole
            if not line:
                break
            if len(line) >= MAX_CELL_CHARS and not line.endswith("\n"):
                raise FileRejected(path.name, f"строка {number}: незакрытая кавычка или ячейка длиннее 1 МБ "
                                              "(файл повреждён)", f"line {number}: a line over 1 MB")
            sample_lines.append(line)
    if not any(line.strip() for line in sample_lines):
        raise FileRejected(path.name, "файл пуст", "file is empty")
    sample = "".join(sample_lines)
    best: tuple[int, int, int, str] | None = None  # (score, columns, -header index, delimiter)
    for delimiter in DELIMITERS:
        rows = list(csv.reader(io.StringIO(sample), delimiter=delimiter))
        index, score = _find_header(rows, source)
        candidate = (score, len(rows[index]) if rows else 0, -index, delimiter)
        if best is None or candidate > best:
            best = candidate
    assert best is not None
    score, _, neg_index, delimiter = best
    rows = list(csv.reader(io.StringIO(sample), delimiter=delimiter))
    header_index = -neg_index
    # csv.reader rows map to physical lines here because the header search area has no multi-line cells
    shape = FileShape(path, "csv", encoding, delimiter, header_index + 1,
                      [c.strip() for c in rows[header_index]] if rows else [])
    if score <= 0:
        raise FileRejected(path.name,
                           "не найдена строка заголовка с обязательными столбцами "
                           "(файл не той формы или не в той кодировке)",
                           "no header row with the required headers (wrong form or wrong encoding)")
    _check_required(shape, source)
    return shape


def _check_zip(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise FileRejected(path.name, "файл XLSX повреждён или не является XLSX",
                           f"XLSX file is damaged or not an XLSX ({exc})") from exc
    total = sum(i.file_size for i in infos)
    bombs = [i.filename for i in infos
             if i.file_size >= MIN_RATIO_MEMBER and i.file_size / max(i.compress_size, 1) > MAX_XLSX_RATIO]
    if total > MAX_XLSX_UNCOMPRESSED or bombs:
        where = f" (часть {bombs[0]})" if bombs else ""
        raise FileRejected(path.name, f"файл XLSX подозрительно сильно сжат{where} (возможна «zip-бомба»)",
                           f"XLSX expands suspiciously{' (' + bombs[0] + ')' if bombs else ''} (zip bomb?)")


def _xlsx_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime.time):  # a time without a day is not a date (Excel would show 1900-01-00)
        return value.isoformat()
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")
    return str(value)


def _open_sheet(path: Path):
    import openpyxl

    _check_zip(path)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise FileRejected(path.name, "файл XLSX не открывается", f"cannot open XLSX ({exc})") from exc
    return book, book.worksheets[0]


def _inspect_xlsx(path: Path, source: Source) -> FileShape:
    book, sheet = _open_sheet(path)
    try:
        rows = []
        for values in sheet.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True):
            rows.append([_xlsx_cell(v) for v in values])
    finally:
        book.close()
    if not any(any(c.strip() for c in r) for r in rows):
        raise FileRejected(path.name, "файл пуст", "file is empty")
    index, score = _find_header(rows, source)
    shape = FileShape(path, "xlsx", header_row=index + 1, headers=[c.strip() for c in rows[index]])
    if score <= 0:
        raise FileRejected(path.name, "не найдена строка заголовка с обязательными столбцами",
                           "no header row with the required headers")
    _check_required(shape, source)
    return shape


def inspect(path: Path, source: Source) -> FileShape:
    suffix = path.suffix.lower()
    if not path.exists() or path.stat().st_size == 0:
        raise FileRejected(path.name, "файл пуст", "file is empty")
    if suffix == ".xlsx":
        return _inspect_xlsx(path, source)
    if suffix in (".csv", ".txt"):
        with path.open("rb") as f:
            if f.read(4) == b"PK\x03\x04":
                raise FileRejected(path.name, "файл с расширением текстового на самом деле XLSX/ZIP",
                                   "a text-named file is really XLSX/ZIP")
        return _inspect_text(path, source)
    raise FileRejected(path.name, f"формат «{suffix}» не поддерживается (нужен CSV, TXT или XLSX)",
                       f"unsupported format {suffix!r} (need CSV, TXT or XLSX)")


def _rows_text(shape: FileShape) -> Iterator[tuple[int, list[str]]]:
    name = shape.path.name
    with shape.path.open("r", encoding=shape.encoding, newline="") as f:
        reader = csv.reader(f, delimiter=shape.delimiter)
        previous_line = 0
        while True:
            start = previous_line + 1  # a record starts on the line after the previous record ended
            try:
                cells = next(reader, None)
            except csv.Error as exc:
                raise FileRejected(name, f"строка {start}: незакрытая кавычка или ячейка длиннее 1 МБ (файл повреждён)",
                                   f"line {start}: an unclosed quote or a cell over {MAX_CELL_CHARS} characters "
                                   f"({exc})") from exc
            except UnicodeDecodeError as exc:
                raise FileRejected(name, f"после строки {previous_line} файл не читается в кодировке {shape.encoding}",
                                   f"undecodable after line {previous_line} ({exc})") from exc
            if cells is None:
                return
            previous_line = reader.line_num
            if start <= shape.header_row:
                continue
            _check_record(name, start, previous_line, cells, shape.delimiter)
            yield start, cells


def _check_record(name: str, start: int, end: int, cells: list[str], delimiter: str) -> None:
    """A record that swallowed lines of the file (an unclosed quote) is reported, never merged silently."""
    if sum(len(c) for c in cells) > MAX_ROW_CHARS:
        raise FileRejected(name, f"строка {start}: запись длиннее 4 МБ (файл повреждён или в нём незакрытая кавычка)",
                           f"line {start}: a record over 4 MB")
    if end == start:
        return
    swallowed = any(delimiter in line for c in cells if "\n" in c for line in c.split("\n")[1:])
    if end - start + 1 > MAX_LINES_PER_ROW or swallowed:
        raise FileRejected(name, f"строка {start}: незакрытая кавычка — одна ячейка захватывает строки {start}–{end} "
                                 "файла вместе с их разделителями; исправьте кавычку и загрузите файл снова",
                           f"line {start}: an unclosed quote swallows lines {start}-{end}")


def _rows_xlsx(shape: FileShape) -> Iterator[tuple[int, list[str]]]:
    book, sheet = _open_sheet(shape.path)
    try:
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number <= shape.header_row:
                continue
            cells = [_xlsx_cell(v) for v in values]
            if any(len(c) > MAX_CELL_CHARS for c in cells):
                raise FileRejected(shape.path.name, f"строка {number}: ячейка длиннее 1 МБ",
                                   f"row {number}: a cell over {MAX_CELL_CHARS} characters")
            yield number, cells
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:  # a member broken past the header
        raise FileRejected(shape.path.name, "файл XLSX повреждён: дочитать его не удалось",
                           f"XLSX broken past its header ({exc})") from exc
    finally:
        book.close()


def iter_chunks(shape: FileShape, chunk_rows: int = 100_000) -> Iterator[pd.DataFrame]:
    """Data rows as DataFrames of raw strings: columns are header positions (`c0`, `c1`, …) plus
    `_row` (physical row number) and `_extra` (text of cells beyond the header, for shifted rows).
    Blank rows are skipped and not counted as read."""
    width = len(shape.headers)
    columns = [f"c{i}" for i in range(width)]
    rows = _rows_text(shape) if shape.format == "csv" else _rows_xlsx(shape)
    buffer: list[list[str]] = []
    numbers: list[int] = []
    extras: list[str] = []

    def flush() -> pd.DataFrame:
        frame = pd.DataFrame(buffer, columns=columns, dtype="string")
        frame["_row"] = pd.array(numbers, dtype="int64")
        frame["_extra"] = pd.array(extras, dtype="string")
        buffer.clear(), numbers.clear(), extras.clear()
        return frame

    for number, cells in rows:
        if not "".join(cells).strip():
            continue
        extra = [c for c in cells[width:] if c.strip()]
        cells = (cells + [""] * width)[:width]
        buffer.append(cells)
        numbers.append(number)
        extras.append("; ".join(extra) if extra else None)
        if len(buffer) >= chunk_rows:
            yield flush()
    if buffer:
        yield flush()
