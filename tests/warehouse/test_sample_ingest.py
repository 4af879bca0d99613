"""Every source of the generated region through the real readers, suites and loader (no Airflow):
each planted bad row lands in quarantine for its planted rule, no good row does, and every encoding,
delimiter and format variant loads to the same warehouse contents."""
from __future__ import annotations

import openpyxl
import pytest
from sqlalchemy import text

from edu_quality.pipeline.inbox import discover
from edu_quality.pipeline.ingest import ingest_file
from edu_quality.sources.contract import LOAD_ORDER
from edu_quality.validation.gx_runner import SuiteRunner
from sample_region import generate

YEAR = 2021


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    return tmp_path_factory.mktemp("sample")


@pytest.fixture(scope="module")
def sample(out, warehouse):
    manifest = generate(YEAR, out, seed=11, schools=12, municipalities=2, students_per_class=8)
    runner = SuiteRunner(data_docs=False)
    found = discover(out, YEAR)
    stats = [ingest_file(warehouse, YEAR, source, out / str(YEAR) / name, name, runner)
             for source in LOAD_ORDER for name in found[source]]
    return manifest, stats


def test_all_sources_load(sample):
    manifest, stats = sample
    assert {s.source for s in stats} == set(LOAD_ORDER)
    assert all(s.status == "loaded" for s in stats)
    assert {f["file"]: f["rows"] for f in manifest["files"]} == {s.file_name: s.rows_read for s in stats}
    for s in stats:
        assert s.rows_read == s.rows_loaded + s.rows_quarantined


def test_each_planted_rule_is_caught_exactly(sample, warehouse):
    manifest, _ = sample
    planted = {(b["file"], b["row_number"]): b["rule"] for b in manifest["bad_rows"] if b["outcome"] == "quarantine"}
    kept = {(b["file"], b["row_number"], b["column"]): b["rule"] for b in manifest["bad_rows"]
            if b["outcome"] == "data_issue"}
    superseded = {(s["file"], s["row_number"]) for s in manifest["superseded_self_evaluation"]}
    with warehouse.connect() as conn:
        found = {(r.file_name, r.row_number): list(r.rules) for r in conn.execute(text(
            "select file_name, row_number, rules from mart.quarantine where year = :y"), {"y": YEAR})}
        issues = {(r.file_name, r.row_number, r.column_name): list(r.rules) for r in conn.execute(text(
            "select file_name, row_number, column_name, rules from mart.data_issues where year = :y"), {"y": YEAR})}
    assert {k: v for k, v in found.items() if k in planted} == {k: [rule] for k, rule in planted.items()}
    assert {k: v for k, v in found.items() if k not in planted} == {k: ["superseded"] for k in superseded}
    # A reference row whose key is sound keeps its school; its bad cell is reported, not the row quarantined.
    assert issues == {k: [rule] for k, rule in kept.items()} and len(kept) >= 5
    # Every rule of the contract has a failing example here, and they are all caught.
    assert len(set(planted.values()) | set(kept.values())) >= 19


def test_personal_data_never_reaches_the_warehouse(sample, warehouse):
    manifest, stats = sample
    dropped = {c for s in stats for c in s.dropped_columns}
    assert {"ФИО", "Дата рождения"} <= dropped
    with warehouse.connect() as conn:
        raw = " ".join(str(r[0]) for r in conn.execute(text(
            "select raw from mart.quarantine where year = :y"), {"y": YEAR}))
        codes = conn.execute(text("select participant_hash from core.vpr_result where year = :y limit 5"),
                             {"y": YEAR}).scalars().all()
    assert "ФИО" not in raw and "Дата рождения" not in raw
    assert codes and all(len(c) == 32 for c in codes)


def test_participant_codes_are_stored_as_their_keyed_hash(sample, out, warehouse):
    """Each loaded row's participant_hash is HMAC-SHA-256 of that row's code under the session's key
    (EDU_QUALITY_HASH_KEY), its first 32 hex digits, worked out here from the file itself; no row carries
    its code, and another key gives none of them."""
    import csv
    import hashlib
    import hmac
    import os

    manifest, _ = sample
    name = next(f["file"] for f in manifest["files"] if f["source"] == "vpr" and f["format"] == "csv"
                and f["encoding"] == "UTF-8" and f["delimiter"] == "comma" and f["title_rows"] == 0)
    path = out / str(YEAR) / name
    with path.open(encoding="utf-8", newline="") as f:
        codes = {i + 2: row["Код участника"] for i, row in enumerate(csv.DictReader(f))}

    def digest(key: bytes, code: str) -> str:
        return hmac.new(key, code.strip().encode(), hashlib.sha256).hexdigest()[:32]

    key = os.environ["EDU_QUALITY_HASH_KEY"].encode()
    with warehouse.connect() as conn:
        stored = dict(conn.execute(text(
            "select v.row_number, v.participant_hash from core.vpr_result v join core.load_log l using (load_id) "
            "where v.year = :y and l.file_name = :f and l.status = 'loaded'"), {"y": YEAR, "f": name}).all())
    assert len(stored) >= 0.8 * len(codes)  # most rows load; the planted bad ones are quarantined
    assert stored == {row: digest(key, codes[row]) for row in stored}
    assert not set(stored.values()) & set(codes.values())
    assert not set(stored.values()) & {digest(b"another key", c) for c in codes.values()}


HEADER = ["Муниципалитет", "ОО", "Название ОО", "Предмет", "Параллель", "Класс", "Код участника", "Вариант",
          "1 (2б)", "2 (8б)", "Первичный балл", "Отметка", "Отметка по журналу"]
ROWS = [["Город", "A0001", 'МБОУ "СОШ № 1"', "Математика", "5", "5А", "P1", "1", "2", "7", "9", "5", "5"],
        ["Город", "A0001", 'МБОУ "СОШ № 1"', "Математика", "5", "5 Б", "P2", "1", "X", "3", "3", "3", ""],
        ["Город", "A0002", "Школа 2", "Математика", "5", "5А", "P3", "2", "1", "9", "10", "5", "4"]]


def _csv(path, encoding, delimiter):
    def cell(v):
        return f'"{v.replace(chr(34), chr(34) * 2)}"' if '"' in v or delimiter in v else v
    lines = [delimiter.join(cell(v) for v in row) for row in [HEADER, *ROWS]]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))


def _xlsx(path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Протокол ВПР"])
    sheet.append([])
    sheet.append(HEADER)
    for row in ROWS:
        sheet.append([int(v) if v.isdigit() else v for v in row])
    book.save(path)


def _variant_year(tmp_path, warehouse, year):
    """The references of one year (each format variant loads into a year of its own: the same works in two
    files of one year would be repeats)."""
    root = tmp_path / str(year)
    (root / "vpr").mkdir(parents=True)
    (root / "schools.csv").write_text(
        "Код ОО;Наименование ОО;Код МО;Муниципальное образование;Тип ОО;Местность;Руководитель;"
        "Дата назначения руководителя;Численность обучающихся\n"
        "A0001;Школа 1;MO01;Город;СОШ;городская;И. И. Иванов;01.09.2015;300\n"
        "A0002;Школа 2;MO01;Город;СОШ;городская;П. П. Петров;01.09.2015;300\n", encoding="utf-8")
    (root / "vpr_scales.csv").write_text(
        "Год;Предмет;Параллель;Максимальный балл;Граница «3»;Граница «4»;Граница «5»\n"
        f"{year};Математика;5;10;3;6;9\n", encoding="utf-8")
    ingest_file(warehouse, year, "schools", root / "schools.csv", "schools.csv")
    ingest_file(warehouse, year, "vpr_scales", root / "vpr_scales.csv", "vpr_scales.csv")
    return root


def test_every_format_variant_gives_identical_rows(tmp_path, warehouse):
    writers = {"vpr/utf8_semicolon.csv": lambda p: _csv(p, "utf-8", ";"),
               "vpr/bom_comma.csv": lambda p: _csv(p, "utf-8-sig", ","),
               "vpr/cp1251_tab.txt": lambda p: _csv(p, "cp1251", "\t"),
               "vpr/titles.xlsx": _xlsx}
    contents = {}
    for i, (name, write) in enumerate(writers.items()):
        year = 2030 + i
        root = _variant_year(tmp_path, warehouse, year)
        write(root / name)
        stats = ingest_file(warehouse, year, "vpr", root / name, name)
        assert (stats.rows_read, stats.rows_quarantined) == (3, 1), name  # P3: task 2 over its maximum
        with warehouse.connect() as conn:
            contents[name] = conn.execute(text(
                "select school_code, subject, grade, class_label, participant_hash, variant, primary_score, "
                "mark, journal_mark, task_scores::text from core.vpr_result where load_id = :id "
                "order by participant_hash"), {"id": stats.load_id}).all()
    first = contents["vpr/utf8_semicolon.csv"]
    assert len(first) == 2
    assert {r.task_scores for r in first} == {'{"1": 2, "2": 7}', '{"1": 0, "2": 3}'}
    for name, rows in contents.items():
        assert rows == first, name
