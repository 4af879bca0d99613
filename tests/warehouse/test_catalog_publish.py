"""Publishing the indicator catalogue makes mart.indicator_catalog the catalogue: an indicator removed
from sql/indicators/ leaves it, with its values. Everything here runs in one transaction that is rolled
back, so the session's warehouse keeps its indicators."""
from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import text

from edu_quality.indicators.catalog import load_catalog, publish

RETIRED = "test_retired_indicator"
YEAR = 2301


def _published(conn) -> set[str]:
    return set(conn.execute(text("select indicator_code from mart.indicator_catalog")).scalars())


def test_an_indicator_removed_from_the_catalogue_leaves_the_mart_with_its_values(warehouse):
    catalog = load_catalog()
    retired = dataclasses.replace(catalog[0], code=RETIRED, name_ru="Показатель, исключённый из каталога")
    with warehouse.connect() as conn:
        transaction = conn.begin()
        try:
            publish(conn, [*catalog, retired])
            conn.execute(text(
                "insert into core.indicator_value (year, level, unit_code, indicator_code, value, numerator, "
                "denominator) values (:y, 'region', 'region', :c, 50, 1, 2)"), {"y": YEAR, "c": RETIRED})
            assert RETIRED in _published(conn)

            publish(conn, catalog)
            assert _published(conn) == {ind.code for ind in catalog}
            assert conn.execute(text("select count(*) from core.indicator_value where indicator_code = :c"),
                                {"c": RETIRED}).scalar_one() == 0
            # what stays is updated, not duplicated or dropped
            assert conn.execute(text("select name_ru from mart.indicator_catalog where indicator_code = :c"),
                                {"c": catalog[0].code}).scalar_one() == catalog[0].name_ru

            with pytest.raises(ValueError, match="empty"):
                publish(conn, [])
            assert _published(conn) == {ind.code for ind in catalog}
        finally:
            transaction.rollback()
