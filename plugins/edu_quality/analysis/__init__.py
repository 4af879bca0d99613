"""The analysis layer: objectivity of ВПР, low results and unfavourable conditions, risk profiles, heads'
effectiveness, successful practices, clusters, municipalities and the effect of measures.

One entry point: analyse_year(engine, year, conditions=…) — run after the year's indicators are computed.
"""
from __future__ import annotations


def analyse_year(engine, year: int, settings: dict | None = None, conditions: dict | None = None,
                 goals: list[dict] | None = None) -> dict:
    """`goals`: the year's targets (include/goals/targets.yaml when not given)."""
    from .run import analyse_year as _run

    return _run(engine, year, settings, conditions, goals)


__all__ = ["analyse_year"]
