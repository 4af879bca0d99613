"""The campaign page served in Airflow's UI, rendered from the warehouse."""
from __future__ import annotations

import importlib.util
from datetime import date
from pathlib import Path

from fastapi.testclient import TestClient

from edu_quality.orchestration.campaign_page import render_page
from edu_quality.pipeline.ingest import ingest_file

from .helpers import SCHOOLS_HEADER, VPR_HEADER, SCALES_HEADER, vpr_row, write

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


def test_plugin_serves_the_page(tmp_path, warehouse):
    spec = importlib.util.spec_from_file_location(
        "campaign_status_plugin", Path(__file__).resolve().parents[2] / "plugins" / "campaign_status_plugin.py")
    plugin = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(plugin)
    assert plugin.CampaignStatusPlugin.fastapi_apps[0]["url_prefix"] == "/campaign"
    response = TestClient(plugin.app).get("/", params={"year": YEAR})
    assert response.status_code == 200
    assert "Кампания мониторинга качества образования за 2046 год" in response.text
