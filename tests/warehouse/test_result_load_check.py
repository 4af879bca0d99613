"""The ВПР and ГИА result tables check their load ids per statement (migration 021) instead of by a row-level
foreign key: a row whose load is not logged is refused, as the key refused it, and deleting a load deletes its
rows, as the key's cascade did. Each test runs in a transaction that is rolled back."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

YEAR = 2302
VPR_ROW = ("{year},OO1,Математика,5,5А,h1,1,10,3,4,\"[1, 0, 2]\",{load_id},1\n")
VPR_COLUMNS = ("year, school_code, subject, grade, class_label, participant_hash, variant, primary_score, mark, "
               "journal_mark, task_scores, load_id, row_number")


def _load(conn) -> int:
    return conn.execute(text(
        "insert into core.load_log (year, source, file_name, sha256, status) "
        "values (:y, 'vpr', 'test.csv', 'x', 'loaded') returning load_id"), {"y": YEAR}).scalar_one()


def _copy(conn, load_id: int, rows: int = 3) -> None:
    cursor = conn.connection.dbapi_connection.cursor()
    data = "".join(VPR_ROW.format(year=YEAR, load_id=load_id) for _ in range(rows))
    cursor.copy_expert(f"copy core.vpr_result ({VPR_COLUMNS}) from stdin with (format csv)", io.StringIO(data))


@pytest.fixture
def conn(warehouse):
    with warehouse.connect() as connection:
        transaction = connection.begin()
        try:
            yield connection
        finally:
            transaction.rollback()


def test_rows_of_a_logged_load_are_copied(conn):
    load_id = _load(conn)
    _copy(conn, load_id)
    assert conn.execute(text("select count(*) from core.vpr_result where load_id = :l"),
                        {"l": load_id}).scalar_one() == 3


def test_a_copy_naming_a_load_that_is_not_logged_is_refused(conn):
    load_id = _load(conn)
    with pytest.raises(Exception, match="load_id .* is not in core.load_log") as raised:
        _copy(conn, load_id + 1_000_000)
    assert getattr(raised.value, "pgcode", None) == "23503"  # foreign_key_violation, as the key raised


def test_an_insert_into_gia_naming_no_load_is_refused(conn):
    with pytest.raises(IntegrityError, match="is not in core.load_log"):
        conn.execute(text(
            "insert into core.gia_result (year, school_code, participant_hash, exam_form, subject, exam_date, "
            "primary_score, status, load_id, row_number) "
            "values (:y, 'OO1', 'h', 'ОГЭ', 'Математика', '2025-06-01', 10, 'сдал', -1, 1)"), {"y": YEAR})


def test_deleting_a_load_deletes_its_rows(conn):
    kept, gone = _load(conn), _load(conn)
    _copy(conn, kept)
    _copy(conn, gone)
    conn.execute(text("delete from core.load_log where load_id = :l"), {"l": gone})
    counts = dict(conn.execute(text("select load_id, count(*) from core.vpr_result where year = :y group by 1"),
                               {"y": YEAR}).all())
    assert counts == {kept: 3}


def test_a_load_id_is_not_moved_in_place(conn):
    load_id = _load(conn)
    _copy(conn, load_id)
    with pytest.raises(IntegrityError, match="is not updated"):
        conn.execute(text("update core.vpr_result set load_id = -1 where load_id = :l"), {"l": load_id})


def test_a_load_with_rows_keeps_its_id_and_truncating_the_log_empties_the_results(conn):
    load_id = _load(conn)
    _copy(conn, load_id)
    with pytest.raises(IntegrityError, match="has result rows"), conn.begin_nested():
        conn.execute(text("update core.load_log set load_id = -5 where load_id = :l"), {"l": load_id})
    conn.execute(text("update core.load_log set message = 'x' where load_id = :l"), {"l": load_id})  # other columns
    conn.execute(text("truncate core.load_log cascade"))
    assert conn.execute(text("select count(*) from core.vpr_result")).scalar_one() == 0


def test_the_check_functions_are_not_for_everyone(conn):
    granted = conn.execute(text(
        "select count(*) from pg_proc p join pg_namespace n on n.oid = p.pronamespace "
        "where n.nspname = 'core' and p.proname in ('check_result_load_ids', 'cascade_result_loads', "
        "'truncate_result_loads', 'refuse_load_id_change') and has_function_privilege('public', p.oid, 'execute')"
    )).scalar_one()
    assert granted == 0
