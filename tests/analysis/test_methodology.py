"""The methodology page is generated from the settings and the code, and is up to date; the settings
name only indicators the catalogue has; every published view and column carries a comment."""
from __future__ import annotations

import copy
import re

import pytest
from sqlalchemy import text

from edu_quality.analysis.settings import load_settings, metric_source
from edu_quality.documents.methodology import METHODOLOGY_PATH, MIGRATION, render_methodology
from edu_quality.indicators.catalog import load_catalog


def test_methodology_page_is_up_to_date():
    assert METHODOLOGY_PATH.read_text(encoding="utf-8") == render_methodology(), (
        "docs/methodology.md is stale: run `.venv/bin/python -m edu_quality.documents.methodology`")


@pytest.mark.parametrize("section, key", [("general", "min_participants"), ("objectivity", "suspected_min_kinds"),
                                          ("unfavorable_conditions", "small_school_max_students"),
                                          ("clusters", "seed"), ("head_effectiveness", "min_directions")])
def test_each_threshold_is_written_from_the_settings(section, key):
    """The page says the threshold where the settings give it: set it to a number found nowhere on the page and
    only the lines that state it change, each now carrying the new number."""
    s = load_settings()
    page = render_methodology(s)
    new = 7919
    assert str(new) not in page
    changed = copy.deepcopy(s)
    changed[section][key] = new
    other = render_methodology(changed)
    before, after = page.splitlines(), other.splitlines()
    assert len(before) == len(after)
    differing = [(a, b) for a, b in zip(before, after) if a != b]
    assert differing, f"{section}.{key} is not on the page"
    for old_line, new_line in differing:
        assert str(new) in new_line and str(s[section][key]) in old_line, (old_line, new_line)


def test_every_risk_factor_is_on_the_page():
    page = render_methodology()
    s = load_settings()
    for f in s["risk_profile"]["factors"]:
        assert f["code"] in page and f["name_ru"] in page


def test_settings_name_only_catalogue_indicators():
    codes = {i.code for i in load_catalog()}
    s = load_settings()
    named = set()
    for p in s["low_results"]["procedures"]:
        named |= set(p["indicators"])
    for section in (s["risk_profile"]["factors"], s["head_effectiveness"]["directions"]):
        for item in section:
            for m in item.get("metrics") or []:
                source, code = metric_source(m)
                if source == "indicator":
                    named.add(code)
    named |= {c for c in s["municipalities"]["ranking_indicators"] if not c.startswith("an_")}
    named |= {c for pair in s["municipalities"]["correlations"]["pairs"] for c in pair}
    named |= {c for c in s["clusters"]["municipalities"]["features"] if not c.startswith("an_")}
    named |= set((s["measure_effects"].get("targets") or {}).values())
    assert named - codes == set()


def test_every_view_and_column_is_commented(warehouse):
    views = re.findall(r"create view (mart\.\w+)", MIGRATION.read_text(encoding="utf-8"))
    assert len(views) >= 11
    with warehouse.connect() as conn:
        for view in views:
            schema, name = view.split(".")
            assert conn.execute(text("select obj_description(to_regclass(:v), 'pg_class')"), {"v": view}).scalar_one()
            missing = conn.execute(text(
                "select a.attname from pg_attribute a where a.attrelid = to_regclass(:v) and a.attnum > 0 "
                "and not a.attisdropped and col_description(a.attrelid, a.attnum) is null"),
                {"v": view}).scalars().all()
            assert missing == [], f"{view}: columns without a comment: {missing}"


def test_contract_columns_come_first(warehouse):
    contract = {
        "mart.objectivity_signals": ["year", "school_code", "subject", "grade", "signal_code", "value", "threshold",
                                     "flagged"],
        "mart.school_risk_profile": ["year", "school_code", "risk_factor_code", "risk_factor_name_ru", "at_risk",
                                     "evidence_ru"],
        "mart.school_status": ["year", "school_code", "municipality_code", "low_results", "unfavorable_conditions",
                               "biased_results_suspected", "cluster", "head_effectiveness_score"],
    }
    with warehouse.connect() as conn:
        for view, columns in contract.items():
            got = conn.execute(text(
                "select attname from pg_attribute where attrelid = to_regclass(:v) and attnum > 0 and not attisdropped "
                "order by attnum"), {"v": view}).scalars().all()
            assert got[:len(columns)] == columns, view
