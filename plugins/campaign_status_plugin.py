"""Airflow UI plugin: the campaign status page (Browse → «Кампания мониторинга»).

A FastAPI app served by Airflow's API server; the page itself is rendered by the product package.
"""
from __future__ import annotations

import asyncio

from airflow.plugins_manager import AirflowPlugin
from fastapi import FastAPI
from fastapi.responses import HTMLResponse

app = FastAPI(title="Кампания мониторинга")


@app.get("/", response_class=HTMLResponse)
async def campaign_page(year: int | None = None) -> str:
    from edu_quality.orchestration.campaign_page import render_page
    from edu_quality.warehouse.connection import engine

    # SQLAlchemy is synchronous: keep it off the API server's event loop.
    return await asyncio.to_thread(lambda: render_page(engine(), year))


class CampaignStatusPlugin(AirflowPlugin):
    name = "edu_quality_campaign"
    fastapi_apps = [{"app": app, "url_prefix": "/campaign", "name": "Кампания мониторинга"}]
    external_views = [{"name": "Кампания мониторинга", "href": "campaign/", "destination": "nav",
                       "category": "browse", "url_route": "campaign"}]
