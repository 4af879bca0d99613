"""Reading, validating (Great Expectations) and loading real files into the real warehouse."""
from __future__ import annotations

from sqlalchemy import text

from edu_quality.pipeline.ingest import ingest_file

from .helpers import SCALES_HEADER, SCHOOLS_HEADER, VPR_HEADER, vpr_row, write

YEAR = 2001


def _load_references(root, engine, year=YEAR):
    schools = write(root, "schools.csv", [
        SCHOOLS_HEADER,
        'A0001;"МБОУ ""СОШ № 1""";MO01;Город;СОШ;городская;Иванов И. И.;01.09.2015;1 204',
        "A0002;Школа 2;MO01;Город;гимназия;городская;Петров П. П.;2016-09-01;500",
        "A-3;Школа 3;MO02;Район;СОШ;поселок;Сидоров С. С.;01.09.2090;abc",
    ], encoding="cp1251")
    scales = write(root, "vpr_scales.csv", [SCALES_HEADER, f"{year};Математика;5;10;3;6;9"])
    s1 = ingest_file(engine, year, "schools", schools, "schools.csv")
    s2 = ingest_file(engine, year, "vpr_scales", scales, "vpr_scales.csv")
    return s1, s2


def test_schools_bad_rows_quarantined_with_every_reason(tmp_path, warehouse):
    schools, scales = _load_references(tmp_path, warehouse)
    assert (schools.rows_read, schools.rows_loaded, schools.rows_quarantined) == (3, 2, 1)
    assert scales.rows_loaded == 1
    with warehouse.connect() as conn:
        q = conn.execute(text("select row_number, rules, raw from mart.quarantine "
                              "where year = :y and source = 'schools'"), {"y": YEAR}).one()
        name = conn.execute(text("select school_name from core.school where school_code = 'A0001' "
                                 "and year = :y"), {"y": YEAR}).scalar_one()
        students = conn.execute(text("select students from core.school where school_code = 'A0001' "
                                     "and year = :y"), {"y": YEAR}).scalar_one()
    assert q.row_number == 4
    assert set(q.rules) == {"bad_format", "not_in_set", "bad_type", "date_in_future"}
    assert q.raw["Код ОО"] == "A-3"
    assert name == 'МБОУ "СОШ № 1"'
    assert students == 1204


def test_vpr_rules_personal_data_and_accounting(tmp_path, warehouse):
    year = YEAR + 1
    _load_references(tmp_path, warehouse, year)
    vpr = write(tmp_path, "vpr/math5.csv", [
        VPR_HEADER.replace("Вариант;", "Вариант;ФИО;"),
        *[r.replace(";1;", ";1;Иванов Иван;", 1) for r in [
            vpr_row("A0001", "P1", 2, 7, 5, 5),                 # 2: good
            vpr_row("A0001", "P2", "X", 3, 3, 4),               # 3: good, X counts 0
            vpr_row("A0009", "P3", 1, 3, 3, None),              # 4: unknown school
            vpr_row("A0002", "P4", 1, 3, 3, 3, cls="6Б"),       # 5: class ≠ grade
            vpr_row("A0002", "P5", 1, 3, 3, 3, primary=5),      # 6: primary ≠ sum
            vpr_row("A0002", "P6", 1, 3, 4, 3),                 # 7: mark ≠ scale
            vpr_row("A0002", "P7", 1, 9, 5, 3),                 # 8: task over max
            vpr_row("A0002", "P1", 1, 3, 3, 3),                 # 9: good (other school)
            vpr_row("A0002", "P1", 2, 3, 3, 3),                 # 10: repeated participant
        ]],
    ])
    stats = ingest_file(warehouse, year, "vpr", vpr, "vpr/math5.csv")
    assert stats.dropped_columns == ["ФИО"]
    assert (stats.rows_read, stats.rows_loaded, stats.rows_quarantined) == (9, 3, 6)
    with warehouse.connect() as conn:
        rules = dict(conn.execute(text(
            "select row_number, rules[1] from mart.quarantine where year = :y and source = 'vpr'"),
            {"y": year}).all())
        raws = " ".join(str(r[0]) for r in conn.execute(text(
            "select raw from mart.quarantine where year = :y"), {"y": year}))
        loaded = conn.execute(text("select count(*) from core.vpr_result where year = :y"),
                              {"y": year}).scalar_one()
        log = conn.execute(text("select rows_read, rows_loaded + rows_quarantined from mart.load_log "
                                "where year = :y and status = 'loaded'"), {"y": year}).all()
    assert rules == {4: "unknown_school", 5: "class_grade_mismatch", 6: "primary_score_mismatch",
                     7: "mark_scale_mismatch", 8: "task_score_out_of_range", 10: "duplicate_key"}
    assert loaded == 3
    assert all(read == accounted for read, accounted in log)
    assert "Иванов" not in raws and "P3" not in raws  # no names, no codes in clear


def test_rerun_is_skipped_and_changed_file_replaces(tmp_path, warehouse):
    year = YEAR + 2
    _load_references(tmp_path, warehouse, year)
    path = write(tmp_path, "vpr/a.csv", [VPR_HEADER, vpr_row("A0001", "P1", 2, 7, 5, 5),
                                         vpr_row("A0001", "P2", 1, 1, 2, 3)])
    first = ingest_file(warehouse, year, "vpr", path, "vpr/a.csv")
    again = ingest_file(warehouse, year, "vpr", path, "vpr/a.csv")
    assert first.status == "loaded" and again.status == "skipped"
    write(tmp_path, "vpr/a.csv", [VPR_HEADER, vpr_row("A0001", "P1", 2, 7, 5, 5)])
    changed = ingest_file(warehouse, year, "vpr", path, "vpr/a.csv")
    assert changed.status == "loaded"
    with warehouse.connect() as conn:
        count = conn.execute(text("select count(*) from core.vpr_result where year = :y"), {"y": year}).scalar_one()
        statuses = [r[0] for r in conn.execute(text(
            "select status from core.load_log where year = :y and source = 'vpr' order by load_id"), {"y": year})]
    assert count == 1
    assert statuses == ["replaced", "loaded"]


def test_unreadable_file_is_rejected_and_logged(tmp_path, warehouse):
    year = YEAR + 3
    path = tmp_path / "schools.csv"
    path.write_bytes(b"\x00\x01binary")
    stats = ingest_file(warehouse, year, "schools", path, "schools.csv")
    assert stats.status == "rejected"
    assert "schools.csv" in stats.message and "двоичные" in stats.message


def _second_load_while_the_first_is_held(tmp_path, warehouse, monkeypatch, year: int) -> tuple[str, list]:
    """Load one file from two threads. The first is held inside the load (just after it read the file's last
    load, where it decides between skipping and loading) until the second has either entered that same point or
    is seen waiting on an advisory lock on the server. Returns what the second did and both loads' results."""
    import threading

    from edu_quality.pipeline import ingest

    _load_references(tmp_path, warehouse, year)
    path = write(tmp_path, f"vpr/same_{year}.csv",
                 [VPR_HEADER] + [vpr_row("A0001", f"P{i}", 1, 3, 3, 3) for i in range(50)])
    inside, release, second_inside = threading.Event(), threading.Event(), threading.Event()
    calls = []
    previous = ingest._previous

    def held(engine, y, source, file_name):
        found = previous(engine, y, source, file_name)
        if y == year and source == "vpr":
            calls.append(threading.current_thread().name)
            if len(calls) == 1:
                inside.set()
                assert release.wait(120), "never released"
            else:
                second_inside.set()
        return found

    monkeypatch.setattr(ingest, "_previous", held)
    results: dict[str, object] = {}

    def load(name):
        results[name] = ingest_file(warehouse, year, "vpr", path, f"vpr/same_{year}.csv")

    first = threading.Thread(target=load, args=("first",), name="first")
    first.start()
    assert inside.wait(120), "the first load never got inside"
    second = threading.Thread(target=load, args=("second",), name="second")
    second.start()
    seen = None
    with warehouse.connect() as conn:
        for _ in range(1200):  # up to 2 minutes; normally the first look or the second
            if second_inside.wait(0.1):
                seen = "inside"
                break
            waiting = conn.execute(text(
                "select count(*) from pg_stat_activity where datname = current_database() "
                "and wait_event_type = 'Lock' and wait_event = 'advisory'")).scalar_one()
            conn.rollback()
            if waiting:
                seen = "waiting on the lock"
                break
    release.set()
    first.join(120)
    second.join(120)
    return seen, [results.get("first"), results.get("second")]


def test_two_loads_of_the_same_file_at_once_are_serialised(tmp_path, warehouse, monkeypatch):
    """The second load waits for the first (on the file's advisory lock) and then sees it: skipped."""
    year = YEAR + 4
    seen, results = _second_load_while_the_first_is_held(tmp_path, warehouse, monkeypatch, year)
    assert seen == "waiting on the lock"
    assert [r.status for r in results] == ["loaded", "skipped"]
    with warehouse.connect() as conn:
        count = conn.execute(text("select count(*) from core.vpr_result where year = :y"), {"y": year}).scalar_one()
    assert count == 50


def test_without_the_lock_the_second_load_gets_in(tmp_path, warehouse, monkeypatch):
    """The check above can fail: with the file's lock taken away, the second load walks into the same
    decision while the first is still inside it."""
    from contextlib import nullcontext

    from edu_quality.pipeline import ingest

    monkeypatch.setattr(ingest, "advisory_lock", lambda *key, shared=False: nullcontext())
    seen, _ = _second_load_while_the_first_is_held(tmp_path, warehouse, monkeypatch, YEAR + 5)
    assert seen == "inside"
