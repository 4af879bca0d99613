"""Roles (migration 006): a municipal analyst sees only its municipality's rows (and the region's) in every
mart view and cannot read core; edu_analyst still sees everything; the pipeline's writer role can load
and recompute a year. Each role is used through a login of its own, connecting with its own name."""
from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from edu_quality.pipeline import steps
from edu_quality.warehouse.connection import engine as cached_engine
from edu_quality.warehouse.connection import sqlalchemy_url

from .support import ISSUED_ON, YEAR, warehouse_digest

MO = "MO01"


@pytest.fixture
def roles_db(databases, reference):
    name, url = databases("rel_roles", template=reference.database)
    admin = create_engine(sqlalchemy_url(url))
    created: list[str] = []

    def login(member_of: str, attributes: str = "") -> str:
        role = f"t_{member_of.removeprefix('edu_')}_{uuid.uuid4().hex[:8]}"
        with admin.begin() as conn:
            conn.execute(text(f"create role {role} login {attributes} in role {member_of}"))
        created.append(role)
        return make_url(url).set(username=role, password=None).render_as_string(hide_password=False)

    yield url, admin, login
    with admin.begin() as conn:
        for role in created:
            conn.execute(text("delete from core.analyst_municipality where role_name = :r"), {"r": role})
            conn.execute(text(f"drop role {role}"))
    admin.dispose()


def _rows(url: str, view: str) -> list[dict]:
    eng = create_engine(sqlalchemy_url(url))
    try:
        with eng.connect() as conn:
            return [dict(r) for r in conn.execute(text(f"select * from mart.{view}")).mappings()]
    finally:
        eng.dispose()


def _key(row: dict) -> str:
    return repr(sorted(row.items()))


def test_municipal_analyst_sees_its_municipality_and_the_region_only(roles_db):
    url, admin, login = roles_db
    petrova, ivanova, nobody = login("edu_municipal_analyst"), login("edu_analyst"), login("edu_municipal_analyst")
    with admin.begin() as conn:
        conn.execute(text("insert into core.analyst_municipality values (:r, :m)"),
                     {"r": make_url(petrova).username, "m": MO})
        views = conn.execute(text("select c.relname, pg_get_userbyid(c.relowner) from pg_class c "
                                  "where c.relnamespace = 'mart'::regnamespace and c.relkind = 'v' order by 1")).all()
        school_mo = {(y, s): m for y, s, m in conn.execute(text(
            "select year, school_code, municipality_code from core.school"))}
    # Every mart view (a future one too) is owned by the role row security applies to.
    assert {owner for _, owner in views} == {"edu_mart_reader"}

    def municipality(row: dict) -> str | None:
        if "municipality_code" in row:
            return row["municipality_code"]
        if "school_code" in row:
            return school_mo[(row["year"], row["school_code"])]
        if row.get("level") in ("school", "municipality") and "unit_code" in row:
            return row["unit_code"] if row["level"] == "municipality" else school_mo[(row["year"], row["unit_code"])]
        return None  # a region-wide row (a file, a cluster, an effect, the catalogue)

    filtered = 0
    for view, _ in views:
        everything = _rows(url, view)
        assert sorted(map(_key, _rows(ivanova, view))) == sorted(map(_key, everything)), view
        mine = _rows(petrova, view)
        # Raw rows, bad cells and files of the whole region's inbox: not for a municipality.
        # The analyses' coverage is counted over every school of the region: a municipal analyst does not see it.
        if view in ("quarantine", "data_issues", "inbox_files", "analysis_coverage"):
            assert everything and mine == [], view
            continue
        expected = [r for r in everything if municipality(r) in (MO, None)]
        assert sorted(map(_key, mine)) == sorted(map(_key, expected)), view
        none = [r for r in everything if municipality(r) is None]
        assert sorted(map(_key, _rows(nobody, view))) == sorted(map(_key, none)), view
        filtered += len(expected) < len(everything)
    # Not vacuous: most views hold rows of the other municipality that petrova did not get.
    assert filtered >= 12
    region = [r for r in _rows(petrova, "indicator_values") if r["level"] == "region"]
    assert region and {r["municipality_code"] for r in _rows(petrova, "school_status")} == {MO}

    eng = create_engine(sqlalchemy_url(petrova))
    try:
        for forbidden in ("select count(*) from core.school", "select count(*) from core.analyst_municipality",
                          "select core.municipal_scope('postgres')", "select count(*) from meta.schema_migration",
                          "delete from mart.school_status"):
            with eng.connect() as conn, pytest.raises(Exception, match="permission denied"):
                conn.execute(text(forbidden))
    finally:
        eng.dispose()


def test_writer_role_loads_and_recomputes_a_year(roles_db, inbox, reference, monkeypatch):
    url, admin, login = roles_db
    # BYPASSRLS: the loader and the analysis COPY into tables with row security, which COPY FROM refuses
    # otherwise (an attribute of the login itself: role attributes are not inherited).
    writer = login("edu_writer", "bypassrls")
    with admin.begin() as conn:  # the teachers file goes, as if it had never been loaded
        conn.execute(text("delete from core.load_log where file_name = 'teachers.csv'"))
    monkeypatch.setenv("WAREHOUSE_URL", writer)
    try:
        path = Path(inbox) / str(YEAR) / "teachers.csv"
        stats = steps.ingest("teachers", str(path), "teachers.csv", YEAR)
        assert stats["status"] == "loaded" and stats["rows_loaded"] > 0
        steps.compute_indicators(YEAR)
        steps.analyse(YEAR)
        steps.choose_recommendations(YEAR, ISSUED_ON)
        with cached_engine().connect() as conn:
            for forbidden in ("drop table core.school", "alter table core.school disable row level security",
                              "create table core.intruder (x int)"):
                with pytest.raises(Exception, match="must be owner|permission denied"):
                    conn.execute(text(forbidden))
                conn.rollback()
    finally:
        cached_engine().dispose()
        monkeypatch.delenv("WAREHOUSE_URL")
    assert warehouse_digest(url, reference.output) == reference.warehouse
