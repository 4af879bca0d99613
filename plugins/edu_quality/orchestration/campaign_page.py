"""The campaign page shown inside Airflow's UI (see plugins/campaign_status_plugin.py): days left to
1 February, what each municipality's schools have sent, data quality per source, and the reminders.
Queries in sql/documents/campaign_page/."""
from __future__ import annotations

from datetime import date

from sqlalchemy.engine import Engine

from edu_quality.documents import queries
from edu_quality.documents.templating import environment
from edu_quality.pipeline.campaign import campaign_year, deadline_for

QUERIES = "campaign_page/"


def page_context(engine: Engine, year: int | None = None, today: date | None = None) -> dict:
    today = today or date.today()
    # mart views only: the page reads as the read-only role edu_analyst (connection.analyst_engine).
    with engine.connect() as conn:
        years = [r[0] for r in queries.run(conn, QUERIES + "years")]
        year = year or (campaign_year(today) if campaign_year(today) in years else (years[0] if years else
                                                                                    campaign_year(today)))
        by_municipality = queries.run(conn, QUERIES + "received", year=year).mappings().all()
        quality = queries.run(conn, QUERIES + "load_quality", year=year).mappings().all()
        reminders = queries.run(conn, QUERIES + "reminders", year=year).mappings().all()
        not_read = queries.run(conn, QUERIES + "inbox_files", year=year).mappings().all()
        last_check = queries.run(conn, QUERIES + "last_check", year=year).mappings().first()
    municipalities: dict[str, dict] = {}
    for row in by_municipality:
        m = municipalities.setdefault(row["municipality_code"], {"name": row["municipality_name"], "sources": []})
        m["sources"].append({"name": row["source_name_ru"], "received": row["received"], "schools": row["schools"]})
    deadline = deadline_for(year)
    return {"year": year, "years": years, "today": today, "deadline": deadline, "days_left": (deadline - today).days,
            "municipalities": municipalities, "quality": [dict(q) for q in quality],
            "reminders": [dict(r) for r in reminders], "not_read": [dict(r) for r in not_read],
            "last_check": dict(last_check) if last_check else None}


def render_page(engine: Engine, year: int | None = None, today: date | None = None) -> str:
    return environment().get_template("campaign_status.html.j2").render(**page_context(engine, year, today))
