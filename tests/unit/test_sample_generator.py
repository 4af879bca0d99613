"""The sample-region generator: reproducible bytes, the contract's layout and messiness, and planted
bad rows that sit exactly where the manifest says, each breaking exactly one rule."""
from __future__ import annotations

import csv
import hashlib
import json
import re
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from edu_quality.sources import contract as c
from sample_region import generate

YEAR = 2024
SMALL = dict(schools=12, municipalities=2, students_per_class=8)
ENCODINGS = {"UTF-8": "utf-8", "UTF-8 with BOM": "utf-8-sig", "Windows-1251": "cp1251"}
DELIMITERS = {"semicolon": ";", "comma": ",", "tab": "\t"}
TERMINATORS = {"CRLF": "\r\n", "LF": "\n"}


# --- helpers ---

def _tree_hashes(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _norm(header: str) -> str:
    return re.sub(r"\s+", " ", header.replace("\u00a0", " ")).strip().lower().replace("ё", "е")


def _render(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%d.%m.%Y")
    return str(value)


class Table:
    """A file read back the way a person sees it: physical row number → cells as text."""

    def __init__(self, root: Path, entry: dict) -> None:
        self.entry = entry
        path = root / entry["file"]
        self.rows: dict[int, list[str]] = {}
        if entry["format"] == "xlsx":
            wb = openpyxl.load_workbook(path, read_only=True)
            ws = wb.worksheets[0]
            for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
                cells = [_render(v) for v in values]
                if number == entry["header_row"]:
                    self.header = cells
                elif number > entry["header_row"] and any(cells):
                    self.rows[number] = cells
            wb.close()
        else:
            text = path.read_bytes().decode(ENCODINGS[entry["encoding"]])
            lines = text.split(TERMINATORS[entry["line_terminator"]])
            assert lines[-1] == "", "every line ends with the terminator"
            for number, line in enumerate(lines[:-1], start=1):
                if not line:
                    continue
                cells = next(csv.reader([line], delimiter=DELIMITERS[entry["delimiter"]]))
                if number == 1:
                    self.header = cells
                else:
                    self.rows[number] = cells
        self._index = {_norm(h): i for i, h in enumerate(self.header) if h}

    def has(self, column: str) -> bool:
        return _norm(column) in self._index

    def cell(self, number: int, column: str) -> str:
        row = self.rows[number]
        i = self._index[_norm(column)]
        return row[i] if i < len(row) else ""  # a workbook row may stop at its last filled cell

    def records(self, columns: list[str]) -> list[tuple[int, dict[str, str]]]:
        return [(n, {col: self.cell(n, col) for col in columns if self.has(col)}) for n in self.rows]


def _int(text: str) -> int | None:
    try:
        return int(text.replace(" ", "").replace("\u00a0", ""))
    except ValueError:
        return None


def _number(text: str) -> float | None:
    try:
        return float(text.replace(" ", "").replace("\u00a0", "").replace(",", "."))
    except ValueError:
        return None


def _date(text: str) -> date | None:
    for fmt in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    return None


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("sample")
    manifest = generate(YEAR, out, seed=7, **SMALL)
    return out / str(YEAR), manifest


@pytest.fixture(scope="module")
def tables(small: tuple[Path, dict]) -> dict[str, Table]:
    root, manifest = small
    return {f["file"]: Table(root, f) for f in manifest["files"]}


# --- reproducibility ---

def test_same_seed_gives_the_same_bytes(tmp_path: Path) -> None:
    generate(YEAR, tmp_path / "a", seed=11, **SMALL)
    generate(YEAR, tmp_path / "b", seed=11, **SMALL)
    first, second = _tree_hashes(tmp_path / "a"), _tree_hashes(tmp_path / "b")
    assert first == second
    assert any(name.endswith(".xlsx") for name in first)


def test_regenerating_in_place_gives_the_same_bytes(tmp_path: Path) -> None:
    generate(YEAR, tmp_path, seed=11, **SMALL)
    before = _tree_hashes(tmp_path)
    generate(YEAR, tmp_path, seed=11, **SMALL)
    assert _tree_hashes(tmp_path) == before


def test_another_seed_gives_other_data(tmp_path: Path) -> None:
    generate(YEAR, tmp_path / "a", seed=11, **SMALL)
    generate(YEAR, tmp_path / "b", seed=12, **SMALL)
    first, second = _tree_hashes(tmp_path / "a"), _tree_hashes(tmp_path / "b")
    data = [name for name in first if not name.startswith("_") and "scales" not in name and "thresholds" not in name]
    assert all(first[name] != second.get(name) for name in data)


def test_refuses_to_overwrite_a_folder_it_did_not_write(tmp_path: Path) -> None:
    (tmp_path / str(YEAR)).mkdir()
    (tmp_path / str(YEAR) / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError):
        generate(YEAR, tmp_path, **SMALL)


# --- layout and messiness ---

def test_every_source_is_present(small: tuple[Path, dict]) -> None:
    root, manifest = small
    on_disk = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    assert "_manifest.json" in on_disk
    assert json.loads((root / "_manifest.json").read_text(encoding="utf-8")) == manifest
    assert sorted(f["file"] for f in manifest["files"]) == [p for p in on_disk if not p.startswith("_")]
    for source in c.SOURCES.values():
        files = [f for f in manifest["files"] if f["source"] == source.name]
        assert files, source.name
        for f in files:
            assert Path(f["file"]).suffix in c.FILE_EXTENSIONS
            if source.many:
                assert f["file"].startswith(source.pattern.split("/")[0] + "/")
            else:
                assert Path(f["file"]).stem == source.pattern.split(".")[0]
    assert len([f for f in manifest["files"] if f["source"] == "vpr"]) >= 3
    assert len([f for f in manifest["files"] if f["source"] == "gia"]) >= 2


def test_formats_encodings_and_delimiters_vary(small: tuple[Path, dict]) -> None:
    root, manifest = small
    files = manifest["files"]
    assert {f["encoding"] for f in files} >= set(ENCODINGS)
    assert {f["delimiter"] for f in files} >= set(DELIMITERS)
    assert {f["format"] for f in files} == {"csv", "txt", "xlsx"}
    for source in ("vpr", "gia"):
        assert any(f["source"] == source and f["format"] == "xlsx" and f["title_rows"] == 2 for f in files)
    features = {feature for f in files for feature in f["features"]}
    assert features >= {"trailing_delimiter", "blank_lines", "doubled_quotes", "nbsp_thousands", "spaced_thousands",
                        "decimal_comma", "decimal_point", "iso_dates", "dmy_dates", "header_variants", "bom",
                        "title_rows", "personal_data"}
    for f in files:
        raw = (root / f["file"]).read_bytes()
        if f["format"] == "xlsx":
            assert raw[:2] == b"PK"
            continue
        assert raw.startswith(b"\xef\xbb\xbf") == (f["encoding"] == "UTF-8 with BOM")
        if f["encoding"] == "Windows-1251":
            with pytest.raises(UnicodeDecodeError):
                raw.decode("utf-8")
        text = raw.decode(ENCODINGS[f["encoding"]])
        if f["trailing_delimiter"]:
            delimiter = DELIMITERS[f["delimiter"]]
            lines = [line for line in text.split(TERMINATORS[f["line_terminator"]]) if line]
            assert all(line.endswith(delimiter) for line in lines)
    schools = (root / "schools.csv").read_bytes().decode("cp1251")
    assert re.search(r";\d{1,3}\u00a0\d{3};", schools) and re.search(r";\d{1,3} \d{3};", schools)
    assert '""' in schools


def test_personal_data_columns_are_recorded(small: tuple[Path, dict], tables: dict[str, Table]) -> None:
    _, manifest = small
    recorded = {(p["source"], p["column"]) for p in manifest["personal_data_columns"]}
    assert ("vpr", "ФИО") in recorded and ("gia", "Дата рождения") in recorded
    for p in manifest["personal_data_columns"]:
        assert _norm(p["column"]) in c.PERSONAL_DATA_HEADERS
        assert tables[p["file"]].has(p["column"])


def test_row_counts_match_the_files(small: tuple[Path, dict], tables: dict[str, Table]) -> None:
    _, manifest = small
    for f in manifest["files"]:
        assert f["rows"] == len(tables[f["file"]].rows), f["file"]
        assert f["rows"] > 0, f["file"]


def test_participant_codes_are_stable_across_subjects(small: tuple[Path, dict], tables: dict[str, Table]) -> None:
    _, manifest = small
    owner: dict[str, str] = {}
    for f in manifest["files"]:
        if f["source"] not in ("vpr", "gia", "olympiads"):
            continue
        t = tables[f["file"]]
        school = "ОО" if f["source"] == "vpr" else "Код ОО"
        for _number, row in t.records([school, "Код участника"]):
            code = row["Код участника"]
            if code:
                assert owner.setdefault(code, row[school]) == row[school] or row[school].startswith("OO99")
                assert re.fullmatch(r"P\d+", code)
    assert len(owner) > 100


# --- planted problems ---

def test_bad_rows_point_at_the_planted_values(small: tuple[Path, dict], tables: dict[str, Table]) -> None:
    _, manifest = small
    assert manifest["bad_rows"]
    for bad in manifest["bad_rows"]:
        table = tables[bad["file"]]
        assert bad["row_number"] in table.rows, bad
        if bad["rule"] == c.EXTRA_CELLS:
            extra = [x for x in table.rows[bad["row_number"]][len(table.header):] if x.strip()]
            assert "; ".join(extra) == bad["value"], bad
        else:
            assert table.cell(bad["row_number"], bad["column"]) == bad["value"], bad
        assert bad["source"] == table.entry["source"]


def test_every_rule_is_planted_where_it_applies(small: tuple[Path, dict]) -> None:
    _, manifest = small
    rules = {b["rule"] for b in manifest["bad_rows"]}
    # Every rejection the contract knows; a superseded submission is not a bad row (listed apart).
    assert rules == set(c.RULE_TEXT_EN) - {getattr(c, "SUPERSEDED", None)}
    by_source = {(b["source"], b["rule"]) for b in manifest["bad_rows"]}
    for needed in (("vpr", c.UNKNOWN_SCHOOL), ("gia", c.UNKNOWN_SCHOOL), ("vpr", c.DUPLICATE_KEY),
                   ("gia", c.DUPLICATE_KEY), ("schools", c.BAD_FORMAT), ("schools", c.DATE_IN_FUTURE),
                   ("gia", c.DATE_OUT_OF_WINDOW), ("gia", c.FIELD_NOT_EXPECTED), ("gia", c.NOT_IN_SET),
                   ("schools", c.NOT_IN_SET), ("self_evaluation", c.SHARE_COUNT_MISMATCH)):
        assert needed in by_source
    # Bad rows in a workbook and a TAB file too, where row numbering differs from a CSV's.
    formats = {b["file"].rsplit(".", 1)[1] for b in manifest["bad_rows"]}
    assert formats == {"csv", "txt", "xlsx"}


def test_planted_school_sets(small: tuple[Path, dict], tables: dict[str, Table]) -> None:
    _, manifest = small
    sets = [set(manifest[k]) for k in ("biased_schools", "low_result_schools", "unfavorable_schools")]
    # A biased school is neither low-result nor unfavourable; the low-result tail may hold unfavourable schools.
    assert all(sets) and not (sets[0] & sets[1] or sets[0] & sets[2])
    schools = {row["Код ОО"]: row for _, row in tables["schools.csv"].records(
        ["Код ОО", "Местность", "Доля обучающихся из малообеспеченных семей, %"])}
    for code in sets[2]:
        assert schools[code]["Местность"] == "сельская"
        assert _number(schools[code]["Доля обучающихся из малообеспеченных семей, %"]) >= 40
    assert all(code in schools for s in sets for code in s)


def test_superseded_submissions(small: tuple[Path, dict], tables: dict[str, Table]) -> None:
    _, manifest = small
    table = tables["self_evaluation.csv"]
    assert manifest["superseded_self_evaluation"]
    for entry in manifest["superseded_self_evaluation"]:
        old, new = entry["row_number"], entry["superseded_by_row"]
        assert table.cell(old, "Код ОО") == table.cell(new, "Код ОО") == entry["school_code"]
        stamp = lambda n: datetime.strptime(table.cell(n, "Отметка времени"), "%d.%m.%Y %H:%M:%S")  # noqa: E731
        assert stamp(old) < stamp(new) < datetime(YEAR + 1, 2, 1)
    bad = {(b["file"], b["row_number"]) for b in manifest["bad_rows"]}
    assert not bad & {(e["file"], e["row_number"]) for e in manifest["superseded_self_evaluation"]}


# --- every row but the planted ones follows the contract; each planted row breaks exactly its rule ---

class MiniValidator:
    """Just enough of the contract to check the generator, independent of its code."""

    def __init__(self, tables: dict[str, Table], manifest: dict) -> None:
        self.tables, self.manifest = tables, manifest
        self.bad = {(b["file"], b["row_number"]): b["rule"] for b in manifest["bad_rows"]}
        self.known: set[str] = set()
        self.rejected: set[str] = set()   # codes of schools whose own reference row is quarantined
        self.scales: dict[tuple[str, int], tuple[int, int, int, int]] = {}
        self.thresholds: dict[tuple[str, str], tuple[int, int, int]] = {}

    def files(self, source: str) -> list[Table]:
        return [self.tables[f["file"]] for f in self.manifest["files"] if f["source"] == source]

    def run(self) -> dict[tuple[str, int], set[str]]:
        found: dict[tuple[str, int], set[str]] = {}
        for source in ("schools", "vpr_scales", "gia_thresholds", "vpr", "gia", "self_evaluation", "teachers",
                       "olympiads", "measures", "heads", "municipal_monitoring"):
            for table in self.files(source):
                keys: set[tuple] = set()
                names: dict[str, str] = {}
                for number, row in table.rows.items():
                    rules = getattr(self, source)(table, number, keys, names)
                    if any(x.strip() for x in row[len(table.header):]):
                        rules.add(c.EXTRA_CELLS)
                    found[(table.entry["file"], number)] = rules
        return found

    @staticmethod
    def _enum(value: str, allowed: tuple[str, ...]) -> set[str]:
        return {c.REQUIRED_MISSING} if not value else set() if value in allowed else {c.NOT_IN_SET}

    def schools(self, t: Table, n: int, keys: set, names: dict) -> set[str]:
        r: set[str] = set()
        code = t.cell(n, "Код ОО")
        if not re.fullmatch(r"[0-9A-Za-zА-Яа-яЁё]{4,16}", code):
            r.add(c.BAD_FORMAT)
        if code in keys:
            r.add(c.DUPLICATE_KEY)
        keys.add(code)
        if not t.cell(n, "Наименование ОО"):
            r.add(c.REQUIRED_MISSING)
        mo, mo_name = t.cell(n, "Код МО"), t.cell(n, "Муниципальное образование")
        if names.setdefault(mo, mo_name) != mo_name:
            r.add(c.INCONSISTENT_NAME)
        r |= self._enum(t.cell(n, "Тип ОО"), c.SCHOOL_TYPES) | self._enum(t.cell(n, "Местность"), c.LOCALITIES)
        appointed = _date(t.cell(n, "Дата назначения руководителя"))
        if appointed is None:
            r.add(c.BAD_TYPE)
        elif appointed > date(YEAR + 1, 2, 1):
            r.add(c.DATE_IN_FUTURE)
        students = _int(t.cell(n, "Численность обучающихся"))
        if students is None:
            r.add(c.BAD_TYPE)
        elif students < 0:
            r.add(c.OUT_OF_RANGE)
        for col in ("Доля обучающихся из малообеспеченных семей, %",
                    "Доля обучающихся, для которых русский язык не родной, %", "Доля обучающихся с ОВЗ, %"):
            value = t.cell(n, col)
            if value and not 0 <= (_number(value) or -1) <= 100:
                r.add(c.OUT_OF_RANGE)
        # A row whose code is sound keeps its school when only other cells break their rules (the contract).
        if r <= {c.DATE_IN_FUTURE, c.OUT_OF_RANGE, c.BAD_TYPE, c.NOT_IN_SET, c.REQUIRED_MISSING, c.INCONSISTENT_NAME}:
            self.known.add(code)
        else:
            self.rejected.add(code)
        return r

    def vpr_scales(self, t: Table, n: int, keys: set, names: dict) -> set[str]:
        values = [int(t.cell(n, col.header)) for col in c.VPR_SCALES.columns if col.name not in ("subject",)]
        year, grade, top, b3, b4, b5 = values
        assert year == YEAR and 0 < b3 < b4 < b5 <= top
        self.scales[(t.cell(n, "Предмет"), grade)] = (top, b3, b4, b5)
        return set()

    def gia_thresholds(self, t: Table, n: int, keys: set, names: dict) -> set[str]:
        form, subject = t.cell(n, "Форма"), t.cell(n, "Предмет")
        minimum = t.cell(n, "Минимальный тестовый балл")
        bounds = tuple(_int(t.cell(n, f"Граница «{m}»")) for m in (3, 4, 5))
        if minimum:
            assert all(b is None for b in bounds) and form == "ЕГЭ"
        else:
            assert all(b is not None for b in bounds) and bounds[0] < bounds[1] < bounds[2]
            self.thresholds[(form, subject)] = bounds  # type: ignore[assignment]
        return set()

    def vpr(self, t: Table, n: int, keys: set, names: dict) -> set[str]:
        r: set[str] = set()
        code, subject = t.cell(n, "ОО"), t.cell(n, "Предмет")
        grade = _int(t.cell(n, "Параллель"))
        if code in self.rejected:
            r.add(c.SCHOOL_ROW_QUARANTINED)
        elif code not in self.known:
            r.add(c.UNKNOWN_SCHOOL)
        if grade is None or not 4 <= grade <= 11:
            return r | {c.OUT_OF_RANGE}
        if not re.match(rf"{grade}\D", t.cell(n, "Класс")):
            r.add(c.CLASS_GRADE_MISMATCH)
        participant = t.cell(n, "Код участника")
        if not participant:
            r.add(c.REQUIRED_MISSING)
        elif (code, subject, grade, participant) in keys:
            r.add(c.DUPLICATE_KEY)
        keys.add((code, subject, grade, participant))
        variant = _int(t.cell(n, "Вариант")) if t.cell(n, "Вариант") else None
        if not t.cell(n, "Вариант"):
            r.add(c.REQUIRED_MISSING)
        elif variant is None:
            r.add(c.BAD_TYPE)
        elif variant < 1:
            r.add(c.OUT_OF_RANGE)
        total = 0
        for header in t.header:
            m = re.match(c.VPR_TASK_HEADER_RE, header)
            if not m:
                continue
            value = t.cell(n, header)
            if value in c.NOT_ATTEMPTED:
                continue
            score = _int(value)
            if score is None or not 0 <= score <= int(m["max"]):
                r.add(c.TASK_SCORE_OUT_OF_RANGE)
            total += score or 0
        primary, mark = _int(t.cell(n, "Первичный балл")), _int(t.cell(n, "Отметка"))
        if primary != total:
            r.add(c.PRIMARY_SCORE_MISMATCH)
        scale = self.scales.get((subject, grade))
        if scale is None:
            r.add(c.NO_SCALE)
        elif primary is not None and mark != 2 + sum(primary >= b for b in scale[1:]):
            r.add(c.MARK_SCALE_MISMATCH)
        journal = t.cell(n, "Отметка по журналу")
        if journal and not 2 <= (_int(journal) or 0) <= 5:
            r.add(c.OUT_OF_RANGE)
        return r

    def gia(self, t: Table, n: int, keys: set, names: dict) -> set[str]:
        r: set[str] = set()
        if t.cell(n, "Код ОО") not in self.known:
            r.add(c.UNKNOWN_SCHOOL)
        form, subject, status = t.cell(n, "Форма"), t.cell(n, "Предмет"), t.cell(n, "Статус")
        r |= self._enum(form, c.GIA_FORMS) | self._enum(status, c.GIA_STATUSES)
        day = _date(t.cell(n, "Дата экзамена"))
        last = date(YEAR, 9, 30) if status == "пересдача" else date(YEAR, 8, 31)
        if day is None:
            r.add(c.BAD_TYPE)
        elif not date(YEAR - 1, 9, 1) <= day <= last:
            r.add(c.DATE_OUT_OF_WINDOW)
        key = (t.cell(n, "Код участника"), form, subject, day)
        if key in keys:
            r.add(c.DUPLICATE_KEY)
        keys.add(key)
        primary = _int(t.cell(n, "Первичный балл"))
        if primary is None:
            r.add(c.BAD_TYPE)
        elif primary < 0:
            r.add(c.OUT_OF_RANGE)
        if form not in c.GIA_FORMS:
            return r
        test, mark = t.cell(n, "Тестовый балл"), t.cell(n, "Отметка")
        wants_test = form == "ЕГЭ" and subject != "Математика базовая"
        if wants_test:
            if mark:
                r.add(c.FIELD_NOT_EXPECTED)
            if not 0 <= (_int(test) if test else -1) <= 100:
                r.add(c.OUT_OF_RANGE)
        else:
            if test:
                r.add(c.FIELD_NOT_EXPECTED)
            bounds = self.thresholds[(form, subject)]
            if primary is not None and _int(mark) != 2 + sum(primary >= b for b in bounds):
                r.add(c.MARK_SCALE_MISMATCH)
        return r

    def self_evaluation(self, t: Table, n: int, keys: set, names: dict) -> set[str]:
        r: set[str] = set()
        if t.cell(n, "Код ОО") not in self.known:
            r.add(c.UNKNOWN_SCHOOL)
        by_number = {h.split(" ", 1)[0]: h for h in t.header[2:]}
        students = _int(re.sub(r"[^\d]", "", t.cell(n, by_number["1.1"])))
        staff = _int(re.sub(r"[^\d]", "", t.cell(n, by_number["1.24"])))
        for number, header in by_number.items():
            value = t.cell(n, header)
            m = re.fullmatch(r"(\d+)\s*(?:человек|чел\.)?\s*/\s*([\d.,]+)\s*%", value)
            if not header.startswith(f"{number} Численность/удельный вес") and number not in (
                    "1.19.1", "1.19.2", "1.19.3", "1.29.1", "1.29.2", "1.30.1", "1.30.2"):
                assert not m, (number, value)
                continue
            if not value:
                continue
            assert m, (number, value)
            if "выпускников" in header:
                continue  # graduates: the form states no denominator
            section, item = number.split(".")[:2]
            total = staff if section == "1" and 25 <= int(item) <= 34 else students
            count, share = int(m[1]), float(m[2].replace(",", "."))
            if total and abs(share - 100 * count / total) > 0.051:
                r.add(c.SHARE_COUNT_MISMATCH)
        return r

    def teachers(self, t: Table, n: int, keys: set, names: dict) -> set[str]:
        r: set[str] = set()
        if t.cell(n, "Код ОО") not in self.known:
            r.add(c.UNKNOWN_SCHOOL)
        code = t.cell(n, "Код педагога")
        if code in keys:
            r.add(c.DUPLICATE_KEY)
        keys.add(code)
        r |= self._enum(t.cell(n, "Квалификационная категория"), c.QUALIFICATION_CATEGORIES)
        for col in c.TEACHERS.columns:
            if col.kind == "int" and _int(t.cell(n, col.header)) is None:
                r.add(c.BAD_TYPE)
            if col.kind == "bool":
                r |= self._enum(t.cell(n, col.header), c.YES_NO)
        return r

    def olympiads(self, t: Table, n: int, keys: set, names: dict) -> set[str]:
        r = self._enum(t.cell(n, "Этап"), c.OLYMPIAD_STAGES) | self._enum(t.cell(n, "Статус"), c.OLYMPIAD_STATUSES)
        if t.cell(n, "Код ОО") not in self.known:
            r.add(c.UNKNOWN_SCHOOL)
        key = (t.cell(n, "Код участника"), t.cell(n, "Предмет"), t.cell(n, "Этап"))
        if key in keys:
            r.add(c.DUPLICATE_KEY)
        keys.add(key)
        if not 4 <= (_int(t.cell(n, "Класс")) or 0) <= 11 or _int(t.cell(n, "Год")) != YEAR:
            r.add(c.OUT_OF_RANGE)
        return r

    def measures(self, t: Table, n: int, keys: set, names: dict) -> set[str]:
        r = self._enum(t.cell(n, "Уровень"), c.MEASURE_LEVELS) | self._enum(t.cell(n, "Исполнено"), c.YES_NO)
        if _date(t.cell(n, "Срок")) is None:
            r.add(c.BAD_TYPE)
        if t.cell(n, "Уровень") == "ОО" and t.cell(n, "Код") not in self.known:
            r.add(c.UNKNOWN_SCHOOL)
        return r


    def heads(self, t: Table, n: int, keys: set, names: dict) -> set[str]:
        r: set[str] = set()
        code = t.cell(n, "Код ОО")
        if code in keys:
            r.add(c.DUPLICATE_KEY)
        keys.add(code)
        if code not in self.known:
            r.add(c.UNKNOWN_SCHOOL)
        result, assessed = t.cell(n, "Результат оценки управленческих компетенций, %"), \
            t.cell(n, "Дата последней оценки компетенций")
        if result and not 0 <= _number(result) <= 100:
            r.add(c.OUT_OF_RANGE)
        if assessed and _date(assessed) > date(YEAR + 1, 2, 1):
            r.add(c.DATE_IN_FUTURE)
        cpd = t.cell(n, "ДПО руководителя за последние 3 года, часов")
        if not cpd:
            r.add(c.REQUIRED_MISSING)
        elif not 0 <= _int(cpd) <= 2000:
            r.add(c.OUT_OF_RANGE)
        reserve = _int(t.cell(n, "Численность резерва управленческих кадров ОО"))
        if _int(t.cell(n, "Из них прошли обучение по программам для резерва")) > reserve:
            r.add(c.OUT_OF_RANGE)
        value = t.cell(n, "Участие в конкурсах профессионального мастерства руководителей")
        if value not in c.YES_NO:
            r.add(c.BAD_TYPE)
        return r

    def municipal_monitoring(self, t: Table, n: int, keys: set, names: dict) -> set[str]:
        r: set[str] = set()
        key = (t.cell(n, "Код МО"), t.cell(n, "Код показателя"))
        if key in keys:
            r.add(c.DUPLICATE_KEY)
        keys.add(key)
        if _int(t.cell(n, "Год")) != YEAR:
            r.add(c.OUT_OF_RANGE)
        if key[0] not in {m["code"] for m in self.manifest["region"]["municipalities"]}:
            r.add(c.UNKNOWN_MUNICIPALITY)
        value, top = _number(t.cell(n, "Значение")), _number(t.cell(n, "Максимальный балл"))
        if value is None:
            r.add(c.BAD_TYPE)
        elif not 0 <= value <= top:
            r.add(c.OUT_OF_RANGE)
        return r


def test_good_rows_are_valid_and_bad_rows_break_exactly_their_rule(small: tuple[Path, dict],
                                                                  tables: dict[str, Table]) -> None:
    _, manifest = small
    validator = MiniValidator(tables, manifest)
    found = validator.run()
    for (file, number), rules in found.items():
        expected = validator.bad.get((file, number))
        assert rules == ({expected} if expected else set()), (file, number, tables[file].rows[number])
    assert len(found) == sum(f["rows"] for f in manifest["files"])


def test_the_weak_heads_and_the_weakest_municipalities_are_planted(small: tuple[Path, dict],
                                                                   tables: dict[str, Table]) -> None:
    """Weak heads: no reserve, little ДПО, a low or lapsed assessment or none; the monitoring's weakest
    municipalities score below every other one."""
    _, manifest = small
    assert manifest["weak_heads"]
    heads = next(t for name, t in tables.items() if name == "heads.csv")
    bad = {b["row_number"] for b in manifest["bad_rows"] if b["file"] == "heads.csv"}
    seen = set()
    for n in heads.rows:
        code = heads.cell(n, "Код ОО")
        if code not in manifest["weak_heads"] or n in bad or code in seen:
            continue
        seen.add(code)
        assert heads.cell(n, "Численность резерва управленческих кадров ОО") == "0"
        assert _int(heads.cell(n, "ДПО руководителя за последние 3 года, часов")) < 16
        result = heads.cell(n, "Результат оценки управленческих компетенций, %")
        assert not result or _number(result) < 35
    assert seen == set(manifest["weak_heads"])
    monitoring = tables["municipal_monitoring.csv"]
    totals: dict[str, list[float]] = {}
    bad = {b["row_number"] for b in manifest["bad_rows"] if b["file"] == "municipal_monitoring.csv"}
    for n in monitoring.rows:
        if n not in bad:
            totals.setdefault(monitoring.cell(n, "Код МО"), []).append(
                _number(monitoring.cell(n, "Значение")) / _number(monitoring.cell(n, "Максимальный балл")))
    weakest = set(manifest["weakest_by_monitoring"])
    assert weakest and max(sum(totals[m]) for m in weakest) < min(sum(v) for m, v in totals.items() if m not in weakest)


def test_default_sized_region_tells_the_planted_stories(tmp_path: Path) -> None:
    """Biased schools' ВПР marks sit well above their ОГЭ; low-result schools are low in both."""
    manifest = generate(YEAR, tmp_path, seed=5, schools=60, municipalities=4, students_per_class=12)
    root = tmp_path / str(YEAR)
    files = {f["file"]: Table(root, f) for f in manifest["files"] if f["source"] in ("vpr", "gia")}
    vpr: dict[str, list[int]] = {}
    oge: dict[str, list[int]] = {}
    for name, t in files.items():
        school = "ОО" if name.startswith("vpr/") else "Код ОО"
        for _, row in t.records([school, "Отметка", "Форма"]):
            mark = _int(row["Отметка"]) if row["Отметка"] else None
            if mark is None or not 2 <= mark <= 5:
                continue
            if name.startswith("vpr/"):
                vpr.setdefault(row[school], []).append(mark)
            elif row.get("Форма") == "ОГЭ":
                oge.setdefault(row[school], []).append(mark)
    mean = lambda xs: sum(xs) / len(xs)  # noqa: E731
    gap = {code: mean(vpr[code]) - mean(oge[code]) for code in vpr if code in oge}
    typical = sorted(gap.values())[len(gap) // 2]
    for code in manifest["biased_schools"]:
        assert gap[code] > typical + 0.3, code
    region_vpr = mean([m for marks in vpr.values() for m in marks])
    for code in manifest["low_result_schools"]:
        assert mean(vpr[code]) < region_vpr - 0.4 and code in oge
