"""The campaign page served in Airflow's UI, rendered from the warehouse."""
from __future__ import annotations

import importlib.util
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from edu_quality.orchestration.campaign_page import render_page
from edu_quality.pipeline.ingest import ingest_file
from edu_quality.warehouse.connection import analyst_engine

from .helpers import SCALES_HEADER, SCHOOLS_HEADER, VPR_HEADER, vpr_row, write

YEAR = 2046


def _load(tmp_path, engine):
    write(tmp_path, "schools.csv", [SCHOOLS_HEADER,
                                     "C0001;Школа 1;MO01;Город;СОШ;городская;Иванова А. А.;01.09.2015;300",
                                     "C0002;Школа 2;MO01;Город;СОШ;городская;Петрова Б. Б.;01.09.2015;300"])
    write(tmp_path, "vpr_scales.csv", [SCALES_HEADER, f"{YEAR};Математика;5;10;3;6;9"])
    write(tmp_path, "vpr/a.csv", [VPR_HEADER, vpr_row("C0001", "P1", 2, 7, 5, 5)])
    for source, name in (("schools", "schools.csv"), ("vpr_scales", "vpr_scales.csv"), ("vpr", "vpr/a.csv")):
        ingest_file(engine, YEAR, source, tmp_path / name, name)


def test_page_shows_days_left_receipt_and_reminders(tmp_path, warehouse):
    _load(tmp_path, warehouse)
    html = render_page(warehouse, YEAR, today=date(YEAR + 1, 1, 22))
    assert "до 01.02.2047" in html and "осталось 10 дн." in html and 'class="deadline warn"' in html
    assert "1 из 2" in html  # one of the two schools sent ВПР
    assert "Петрова Б. Б." in html and "ВПР" in html  # the reminder for the school that did not


def _plugin():
    spec = importlib.util.spec_from_file_location(
        "campaign_status_plugin", Path(__file__).resolve().parents[2] / "plugins" / "campaign_status_plugin.py")
    plugin = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(plugin)
    return plugin


def test_the_page_reads_mart_only_as_the_analyst_role(tmp_path, warehouse):
    _load(tmp_path, warehouse)
    eng = analyst_engine()
    with eng.connect() as conn:
        assert conn.execute(text("select current_user")).scalar() == "edu_analyst"
        with pytest.raises(Exception, match="permission denied"):
            conn.execute(text("select count(*) from core.school"))
    with eng.connect() as conn, pytest.raises(Exception, match="read-only transaction"):
        conn.execute(text("create temporary table t (x int)"))
    html = render_page(eng, YEAR, today=date(YEAR + 1, 1, 22))
    assert "1 из 2" in html and "Петрова Б. Б." in html and "Город" in html  # municipality name, from mart


def test_plugin_serves_the_page_to_an_authorised_user(tmp_path, warehouse):
    _load(tmp_path, warehouse)
    plugin = _plugin()
    assert plugin.CampaignStatusPlugin.fastapi_apps[0]["url_prefix"] == "/campaign"
    plugin.app.dependency_overrides[plugin.authorize] = lambda: None  # as if the auth manager said yes
    client = TestClient(plugin.app)
    response = client.get("/", params={"year": YEAR})
    assert response.status_code == 200
    assert "Кампания мониторинга качества образования за 2046 год" in response.text
    for year in ("99999999999999999999", "1999", "2101", "abc"):
        assert client.get("/", params={"year": year}).status_code == 422, year


def test_plugin_refuses_anonymous_requests(warehouse):
    """Airflow does not authenticate plugin apps: the app itself must (the real api-server: tests/e2e)."""
    plugin = _plugin()
    client = TestClient(plugin.app)
    response = client.get("/", params={"year": YEAR})
    assert response.status_code == 401 and "Петрова" not in response.text
    for path in ("/docs", "/redoc", "/openapi.json"):  # FastAPI's own routes would be public: switched off
        assert client.get(path).status_code in (401, 403, 404), path
    # Every route of the app, one added later too, goes through the authorisation dependency.
    for route in plugin.app.routes:
        if hasattr(route, "dependant"):
            assert any(d.call is plugin.authorize for d in route.dependant.dependencies), route.path
