"""The check of a file's keys against the year's other files (warehouse/load.py, key_in_table) looks each of the
file's rows up in the table's index on (year, key): its cost is the file's rows, not the year's."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import text

from edu_quality.sources.registry import all_names, description
from edu_quality.warehouse.load import KEY_CHECK_PLANS_OFF, repeated_rows_sql

CHECKED = sorted({(description(n).table, tuple(description(n).stored_keys())) for n in all_names()
                  if description(n).key_in_table})


def test_the_result_sources_are_checked_in_their_tables():
    assert {table for table, _ in CHECKED} >= {"core.vpr_result", "core.gia_result"}


@pytest.mark.parametrize("table, key", CHECKED)
def test_each_checked_table_has_its_key_index_and_the_check_looks_rows_up_in_it(warehouse, table, key):
    schema, name = table.split(".")
    with warehouse.connect() as conn:
        indexes = {tuple(r[0]) for r in conn.execute(text(
            "select array_agg(a.attname::text order by k.ord) from pg_index i "
            "join pg_class c on c.oid = i.indrelid join pg_namespace n on n.oid = c.relnamespace "
            "cross join lateral unnest(i.indkey) with ordinality k(attnum, ord) "
            "join pg_attribute a on a.attrelid = c.oid and a.attnum = k.attnum "
            "where n.nspname = :s and c.relname = :t group by i.indexrelid"), {"s": schema, "t": name})}
        assert ("year", *key) in indexes
        cursor = conn.connection.dbapi_connection.cursor()
        # With the settings the check runs it under (warehouse/load.py): the planner's statistics are older than
        # the file's rows, and a read of the whole table per row must not be its choice.
        cursor.execute("begin; " + "; ".join(f"set local {setting} = off" for setting in KEY_CHECK_PLANS_OFF))
        cursor.execute("explain " + repeated_rows_sql(table, list(key)), {"load": 1})
        plan = "\n".join(r[0] for r in cursor.fetchall())
        cursor.execute("rollback")
    # A lookup per row of the file (a subplan run for each) in the key index; the year's table is never read
    # whole (load_log, a few hundred rows, may be hashed once).
    assert "SubPlan" in plan
    assert re.search(rf"Index (Only )?Scan using \w+_key on {name} o\b", plan), plan
    assert not re.search(rf"(Seq Scan|Bitmap Heap Scan) on {name} o\b", plan), plan


def test_an_ext_table_checked_in_the_table_gets_its_key_index_even_when_made_before(warehouse):
    toy = description("vpr").model_copy(update={"table": "ext.toy_results", "load": None})
    assert "_key on" not in toy.model_copy(update={"key_in_table": False}).ddl()
    with warehouse.connect() as conn:
        transaction = conn.begin()
        try:
            conn.exec_driver_sql(toy.ddl())
            conn.exec_driver_sql("drop index ext.toy_results_key")  # a table made before the check was asked for
            conn.exec_driver_sql(toy.ddl())
            definition = conn.execute(text("select pg_get_indexdef('ext.toy_results_key'::regclass)")).scalar_one()
        finally:
            transaction.rollback()
    assert definition.endswith("(year, school_code, subject, grade, participant_code)")
