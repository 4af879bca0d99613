"""Airflow UI plugin: the campaign status page (Browse → «Кампания мониторинга»).

A FastAPI app served by Airflow's API server; the page itself is rendered by the product package.

Airflow does not authenticate a plugin's FastAPI app: every route of this one depends on Airflow's own
checks, as the core REST API's do. Authentication: the auth manager's user (`get_user`: a JWT as
`Authorization: Bearer …` or the UI's `_token` cookie), otherwise 401 (403 for an invalid token).
Authorisation: read access to the DAG `annual_monitoring_cycle` through the auth manager, otherwise 403 —
the page shows that DAG's campaign (what each school has sent, the quality of its files, the reminders
with school heads' names), so whoever may read the DAG and its runs may read the page, and an auth
manager with per-DAG permissions (FAB, Keycloak) can grant or withhold it per role like the DAG itself.
The warehouse is read as the read-only role `edu_analyst` (mart views only), never as the owner.
"""
from __future__ import annotations

import asyncio
from typing import Annotated

from airflow.api_fastapi.core_api.security import requires_access_dag
from airflow.plugins_manager import AirflowPlugin
from fastapi import Depends, FastAPI, Query
from fastapi.responses import HTMLResponse

CAMPAIGN_DAG_ID = "annual_monitoring_cycle"
# The results years the product handles (the DAG's own `year` parameter has the same range).
MIN_YEAR, MAX_YEAR = 2000, 2100

authorize = requires_access_dag("GET", param_dag_id=CAMPAIGN_DAG_ID)

# App-level dependencies cover every route, those added later included; FastAPI's own docs and schema
# routes are not routes of the app's router, so they are switched off rather than left public.
app = FastAPI(title="Кампания мониторинга", dependencies=[Depends(authorize)],
              docs_url=None, redoc_url=None, openapi_url=None)


@app.get("/", response_class=HTMLResponse)
async def campaign_page(
        year: Annotated[int | None, Query(ge=MIN_YEAR, le=MAX_YEAR, description="Год результатов")] = None) -> str:
    from edu_quality.orchestration.campaign_page import render_page
    from edu_quality.warehouse.connection import analyst_engine

    # SQLAlchemy is synchronous: keep it off the API server's event loop.
    return await asyncio.to_thread(lambda: render_page(analyst_engine(), year))


class CampaignStatusPlugin(AirflowPlugin):
    name = "edu_quality_campaign"
    fastapi_apps = [{"app": app, "url_prefix": "/campaign", "name": "Кампания мониторинга"}]
    external_views = [{"name": "Кампания мониторинга", "href": "campaign/", "destination": "nav",
                       "category": "browse", "url_route": "campaign"}]
