"""Table writers for the sample inbox: CSV/TXT in the encodings and dialects the contract allows,
and XLSX with title rows, both reproducible byte for byte.

A writer returns the physical row number of every record it writes (header line = row 1 in a text
file; the Excel row number in a workbook, title rows included), so planted problems can be located
exactly as a person opening the file would see them.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

Cell = str | int | date | None

NBSP = "\u00a0"
ENCODING_LABELS = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 with BOM", "cp1251": "Windows-1251"}
DELIMITER_LABELS = {";": "semicolon", ",": "comma", "\t": "tab"}
# Zip entries get this timestamp so a workbook does not change with the wall clock.
_ZIP_DATE_TIME = (1980, 1, 1, 0, 0, 0)


# --- Cell formatting as people write it ---

def decimal(value: float, digits: int = 1, comma: bool = True, keep_zero: bool = False) -> str:
    """`34,5` (or `34.5`); `34` for a whole number unless keep_zero."""
    text = f"{value:.{digits}f}"
    if not keep_zero and digits > 0 and re.fullmatch(r"-?\d+\.0+", text):
        text = text.split(".")[0]
    return text.replace(".", ",") if comma else text


def thousands(value: int, sep: str = " ") -> str:
    """`1 204` with a space or a non-breaking space; no separator below 1000."""
    return f"{value:,}".replace(",", sep)


def dmy(value: date) -> str:
    return value.strftime("%d.%m.%Y")


def iso(value: date) -> str:
    return value.isoformat()


@dataclass(frozen=True)
class TextLayout:
    """How a text file is encoded and delimited."""
    encoding: str                 # codec: utf-8 | utf-8-sig | cp1251
    delimiter: str                # ; , or TAB
    line_terminator: str = "\r\n"
    trailing_delimiter: bool = False
    date_style: str = "dmy"       # how date cells are rendered: dmy | iso


@dataclass
class FileRecord:
    """What the manifest says about one written file."""
    source: str
    file: str                     # relative to <out_dir>/<year>, POSIX separators
    format: str                   # csv | txt | xlsx
    encoding: str | None
    delimiter: str | None
    line_terminator: str | None
    trailing_delimiter: bool
    title_rows: int
    header_row: int
    rows: int = 0                 # data records: no header, title or blank lines
    blank_lines: int = 0
    features: list[str] = field(default_factory=list)

    def to_manifest(self) -> dict:
        return {
            "source": self.source,
            "file": self.file,
            "format": self.format,
            "encoding": ENCODING_LABELS.get(self.encoding or "", self.encoding),
            "delimiter": DELIMITER_LABELS.get(self.delimiter or "", self.delimiter),
            "line_terminator": {"\r\n": "CRLF", "\n": "LF"}.get(self.line_terminator or "", None),
            "trailing_delimiter": self.trailing_delimiter,
            "title_rows": self.title_rows,
            "header_row": self.header_row,
            "rows": self.rows,
            "blank_lines": self.blank_lines,
            "features": sorted(self.features),
        }


class TableWriter(ABC):
    """Common part: row counting and the feature notes that go to the manifest."""

    def __init__(self, root: Path, rel: str, source: str) -> None:
        self.path = root / rel
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.record: FileRecord
        self._line = 0
        self._features: list[str] = []
        self._rel = rel
        self._source = source

    def note(self, feature: str) -> None:
        if feature not in self._features:
            self._features.append(feature)

    @abstractmethod
    def render(self, value: Cell) -> str:
        """The cell as text, the way the manifest records a planted value."""

    @abstractmethod
    def row(self, values: Sequence[Cell]) -> int:
        """Write one data row; return its physical row number."""

    @abstractmethod
    def blank(self) -> None:
        """Write an empty line (text formats) or row."""

    @abstractmethod
    def close(self) -> FileRecord:
        """Finish the file and describe it for the manifest."""

    def __enter__(self) -> TableWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self.close()


class TextTableWriter(TableWriter):
    """CSV / TXT: csv-module quoting (doubled quotes), optional trailing delimiter, blank lines."""

    def __init__(self, root: Path, rel: str, source: str, header: Sequence[str], layout: TextLayout) -> None:
        super().__init__(root, rel, source)
        self.layout = layout
        # newline="" so the csv module's terminator is written as is; strict errors so a character
        # Windows-1251 cannot hold fails here rather than producing a silently broken file.
        self._fh = open(self.path, "w", encoding=layout.encoding, errors="strict", newline="")
        self._csv = csv.writer(self._fh, delimiter=layout.delimiter, lineterminator=layout.line_terminator,
                               quoting=csv.QUOTE_MINIMAL, quotechar='"', doublequote=True)
        fmt = "txt" if rel.endswith(".txt") else "csv"
        self.record = FileRecord(source, rel, fmt, layout.encoding, layout.delimiter, layout.line_terminator,
                                 layout.trailing_delimiter, title_rows=0, header_row=1)
        if layout.trailing_delimiter:
            self.note("trailing_delimiter")
        if layout.encoding == "utf-8-sig":
            self.note("bom")
        self._emit(list(header))

    def render(self, value: Cell) -> str:
        if value is None:
            return ""
        if isinstance(value, date):
            return iso(value) if self.layout.date_style == "iso" else dmy(value)
        if isinstance(value, (bool, float)):
            raise TypeError(f"format {value!r} explicitly before writing it")
        return str(value)

    def _emit(self, texts: list[str]) -> int:
        if self.layout.trailing_delimiter:
            texts = texts + [""]
        self._csv.writerow(texts)
        self._line += 1
        return self._line

    def row(self, values: Sequence[Cell]) -> int:
        texts = [self.render(v) for v in values]
        if any('"' in t for t in texts):
            self.note("doubled_quotes")
        self.record.rows += 1
        return self._emit(texts)

    def rows(self, many: Sequence[Sequence[Cell]]) -> None:
        """Fast path for plain rows nobody needs the row number of."""
        for values in many:
            self.row(values)

    def blank(self) -> None:
        self._fh.write(self.layout.line_terminator)
        self._line += 1
        self.record.blank_lines += 1
        self.note("blank_lines")

    def close(self) -> FileRecord:
        self._fh.close()
        self.record.features = list(self._features)
        return self.record


class XlsxTableWriter(TableWriter):
    """First sheet, title rows above the header, dates as real Excel dates shown as ДД.ММ.ГГГГ."""

    def __init__(self, root: Path, rel: str, source: str, header: Sequence[str], titles: Sequence[str],
                 stamp: datetime, sheet: str = "Лист1") -> None:
        super().__init__(root, rel, source)
        self._stamp = stamp
        self._wb = Workbook(write_only=True)
        self._ws = self._wb.create_sheet(sheet)
        for title in titles:
            self._ws.append([title])
            self._line += 1
        self._ws.append(list(header))
        self._line += 1
        self.record = FileRecord(source, rel, "xlsx", None, None, None, False,
                                 title_rows=len(titles), header_row=self._line)
        if titles:
            self.note("title_rows")

    def render(self, value: Cell) -> str:
        if value is None:
            return ""
        if isinstance(value, date):
            return dmy(value)
        return str(value)

    def row(self, values: Sequence[Cell]) -> int:
        cells: list[object] = []
        for v in values:
            if isinstance(v, date):
                c = WriteOnlyCell(self._ws, value=datetime(v.year, v.month, v.day))
                c.number_format = "DD.MM.YYYY"
                cells.append(c)
            else:
                cells.append(v)
        self._ws.append(cells)
        self._line += 1
        self.record.rows += 1
        return self._line

    def rows(self, many: Sequence[Sequence[Cell]]) -> None:
        for values in many:
            self.row(values)

    def blank(self) -> None:
        self._ws.append([])
        self._line += 1
        self.record.blank_lines += 1

    def close(self) -> FileRecord:
        self._wb.properties.creator = "edu_quality sample generator"
        self._wb.properties.created = self._stamp
        buf = io.BytesIO()
        self._wb.save(buf)
        _write_reproducible_zip(buf.getvalue(), self.path, self._stamp)
        self.record.features = list(self._features)
        return self.record


def _zip_order(name: str) -> tuple[int, str]:
    # [Content_Types].xml first, as Office writes it; then a fixed alphabetical order.
    return (0 if name == "[Content_Types].xml" else 1, name)


def _write_reproducible_zip(data: bytes, path: Path, stamp: datetime) -> None:
    """Rewrite openpyxl's zip with fixed entry times, order and core-properties timestamps
    (openpyxl stamps `modified` with the wall clock on save)."""
    w3c = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode("ascii")
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in sorted(src.namelist(), key=_zip_order):
            content = src.read(name)
            if name == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)",
                                 rb"\g<1>" + w3c + rb"\g<2>", content)
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 0
            dst.writestr(info, content, compresslevel=6)


def open_table(root: Path, rel: str, source: str, header: Sequence[str], *, layout: TextLayout | None = None,
               titles: Sequence[str] = (), stamp: datetime | None = None) -> TableWriter:
    """A writer for `rel` by its extension: .xlsx → workbook, .csv/.txt → text with `layout`."""
    if rel.endswith(".xlsx"):
        if stamp is None:
            raise ValueError("an XLSX file needs a fixed stamp for reproducible properties")
        return XlsxTableWriter(root, rel, source, header, titles, stamp)
    if layout is None:
        raise ValueError(f"{rel}: a text file needs a layout")
    return TextTableWriter(root, rel, source, header, layout)
