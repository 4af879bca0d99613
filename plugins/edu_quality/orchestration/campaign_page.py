"""The campaign page shown inside Airflow's UI (see plugins/campaign_status_plugin.py): days left to
1 February, what each municipality's schools have sent, data quality per source, and the reminders."""
from __future__ import annotations

from datetime import date

from sqlalchemy import text
from sqlalchemy.engine import Engine

from edu_quality.documents.render import environment
from edu_quality.pipeline.campaign import campaign_year, deadline_for


def page_context(engine: Engine, year: int | None = None, today: date | None = None) -> dict:
    today = today or date.today()
    # mart views only: the page reads as the read-only role edu_analyst (connection.analyst_engine).
    with engine.connect() as conn:
        # The years with a school reference loaded (cheap: mart.campaign_status would count every result row).
        years = [r[0] for r in conn.execute(text(
            "select year from mart.load_quality where source = 'schools' and files_loaded > 0 order by 1 desc"))]
        year = year or (campaign_year(today) if campaign_year(today) in years else (years[0] if years else
                                                                                    campaign_year(today)))
        by_municipality = conn.execute(text(
            "select municipality_code, municipality_name, source_name_ru, "
            "count(*) filter (where received) as received, count(*) as schools "
            "from mart.campaign_status "
            "where year = :y and required group by 1, 2, 3, source order by 1, source"),
            {"y": year}).mappings().all()
        quality = conn.execute(text(
            "select source, files_loaded as files, files_rejected as rejected, rows_read, rows_quarantined "
            "from mart.load_quality where year = :y order by source"), {"y": year}).mappings().all()
        reminders = conn.execute(text(
            "select municipality_code, school_code, school_name, head_name, missing_sources "
            "from mart.campaign_reminders where year = :y order by 1, 2"), {"y": year}).mappings().all()
        last_check = conn.execute(text(
            "select checked_on, status, message_ru from mart.campaign_deadline where year = :y "
            "order by checked_on desc limit 1"), {"y": year}).mappings().first()
    municipalities: dict[str, dict] = {}
    for row in by_municipality:
        m = municipalities.setdefault(row["municipality_code"], {"name": row["municipality_name"], "sources": []})
        m["sources"].append({"name": row["source_name_ru"], "received": row["received"], "schools": row["schools"]})
    deadline = deadline_for(year)
    return {"year": year, "years": years, "today": today, "deadline": deadline, "days_left": (deadline - today).days,
            "municipalities": municipalities, "quality": [dict(q) for q in quality],
            "reminders": [dict(r) for r in reminders], "last_check": dict(last_check) if last_check else None}


def render_page(engine: Engine, year: int | None = None, today: date | None = None) -> str:
    return environment().get_template("campaign_status.html.j2").render(**page_context(engine, year, today))
