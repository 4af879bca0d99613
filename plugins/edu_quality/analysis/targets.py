"""Goals and their correction (the Ishimbay order's management cycle, steps 1 and 6).

A methodologist sets target values of catalogue indicators per year, for the region and per municipality, in
include/goals/targets.yaml. The year's analysis says whether each target was reached and by how much, and
proposes next year's: a target missed is carried over; one reached becomes the year's value improved by the
mean yearly change in the desirable direction over `trend_years` (at least `min_step` in the indicator's unit),
plus the effect of last year's measures on it where the difference in differences showed an improvement.
"""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from edu_quality import formatting as fmt
from edu_quality.checks import Problem, read_yaml, similar, validation_problems
from edu_quality.config import PATHS
from edu_quality.indicators.catalog import indicator_codes

from .data import YearData
from .tables import columns

TARGETS_PATH = PATHS.root / "include" / "goals" / "targets.yaml"
COLUMNS = columns("core.target_result")
Year = Annotated[int, Field(ge=2000, le=2099)]
Value = Annotated[float, Field(ge=0)]


class Target(BaseModel):
    model_config = ConfigDict(extra="forbid")
    indicator: Annotated[str, Field(pattern=r"^[a-z0-9_]+$")]
    goal_ru: Annotated[str, Field(min_length=1)]
    region: dict[Year, Value] | None = None
    municipalities: dict[Annotated[str, Field(pattern=r"^[A-Za-zА-Яа-я0-9_-]{1,16}$")], dict[Year, Value]] | None = None


class Targets(BaseModel):
    model_config = ConfigDict(extra="forbid")
    targets: list[Target]


def load_targets(path: Path | None = None) -> list[dict]:
    """The targets file as plain data (no file: no targets)."""
    path = path or TARGETS_PATH
    if not path.is_file():
        return []
    return Targets(**(yaml.safe_load(path.read_text(encoding="utf-8")) or {"targets": []})).model_dump()["targets"]


def targets_problems(project: Path | None = None) -> list[Problem]:
    """`edu-quality check`: include/goals/targets.yaml against its model and the indicator catalogue (an
    indicator with a direction, a share within 0–100)."""
    project = project or PATHS.root
    path = project / "include" / "goals" / "targets.yaml"
    if not path.is_file():
        return []
    doc, problems = read_yaml(path, project)
    if doc is None:
        return problems
    try:
        parsed = Targets(**(doc.data if isinstance(doc.data, dict) else {}))
    except ValidationError as err:
        return problems + validation_problems(err, doc, Targets)
    codes = indicator_codes(project / "sql" / "indicators")
    meta = _catalogue_meta(project / "sql" / "indicators")
    for i, t in enumerate(parsed.targets):
        if t.indicator not in codes:
            problems.append(doc.problem(("targets", i, "indicator"),
                                        f"показателя «{t.indicator}» нет в каталоге{similar(t.indicator, codes)}"))
            continue
        unit, polarity = meta.get(t.indicator, ("", ""))
        if polarity == "neutral":
            problems.append(doc.problem(("targets", i, "indicator"), f"у показателя «{t.indicator}» нет полярности "
                                                                     "(neutral): цель для него не задаётся"))
        values = [(("targets", i, "region", y), v) for y, v in (t.region or {}).items()]
        values += [(("targets", i, "municipalities", m, y), v) for m, by in (t.municipalities or {}).items()
                   for y, v in by.items()]
        problems += [doc.problem(loc, f"доля в процентах не больше 100, указано {v:g}")
                     for loc, v in values if unit == "%" and v > 100]
        if not values:
            problems.append(doc.problem(("targets", i),
                                        "не задано ни одного целевого значения (region, municipalities)"))
    return problems


def _catalogue_meta(folder: Path) -> dict[str, tuple[str, str]]:
    out = {}
    for meta in folder.glob("*/metadata.yaml"):
        d = yaml.safe_load(meta.read_text(encoding="utf-8")) or {}
        out[meta.parent.name] = (d.get("unit", ""), d.get("polarity", ""))
    return out


def _step(data: YearData, code: str, level: str, unit_code: str, sign: float, s: dict) -> float:
    """The mean yearly change in the desirable direction over the trend window (0 if none or the wrong way)."""
    iv = data.indicators
    years = int(s["targets"]["trend_years"])
    rows = iv[(iv["level"] == level) & (iv["unit_code"] == unit_code) & (iv["indicator_code"] == code)
              & (iv["year"] > data.year - years)].sort_values("year")["value"].dropna()
    if len(rows) < 2:
        return 0.0
    return max(0.0, sign * float(rows.iloc[-1] - rows.iloc[0]) / (len(rows) - 1))


def _row(data: YearData, t: dict, level: str, unit_code: str, target: float, s: dict, effects: pd.DataFrame) -> dict:
    code = t["indicator"]
    unit, polarity = data.indicator_unit(code), data.polarity(code)
    sign = 1.0 if polarity == "higher_better" else -1.0
    found = data.level_indicator(code, level).get(unit_code)
    value = None if found is None or pd.isna(found) else float(found)
    base = dict(level=level, unit_code=unit_code, indicator_code=code, name_ru=data.indicator_name(code), unit=unit,
                polarity=polarity, goal_ru=t["goal_ru"], target=target, value=value)
    if value is None:
        return {**base, "achieved": None, "gap": None, "proposed_next": target,
                "evidence_ru": "нет данных: значения показателя за год нет; цель переносится на следующий год"}
    gap = sign * (value - target)
    achieved = gap >= 0
    better = "ниже" if sign < 0 else "выше"
    how = (f"достигнута: {fmt.value(value, unit)} при цели {fmt.value(target, unit)}" if achieved else
           f"не достигнута: {fmt.value(value, unit)} при цели {fmt.value(target, unit)}, до цели "
           f"{fmt.value(-gap, unit)}")
    if not achieved:
        return {**base, "achieved": False, "gap": gap, "proposed_next": target,
                "evidence_ru": f"{how}; цель переносится на следующий год"}
    trend = _step(data, code, level, unit_code, sign, s)
    eff = effects[(effects["indicator_code"] == code) & effects["improvement"].fillna(False).astype(bool)] \
        if len(effects) else effects
    # The effect as judged (like with like, or adjusted for the starting value), not the raw difference.
    effect = float(np.abs(eff["estimate"].astype(float)).mean()) if len(eff) else 0.0
    step = max(float(s["targets"]["min_step"].get(unit, 0.0)), trend) + effect
    proposed = value + sign * step
    proposed = float(np.clip(proposed, 0, 100)) if unit == "%" else max(0.0, proposed)
    why = (f"шаг {fmt.value(step, unit)}: средний за {s['targets']['trend_years']} года тренд "
           f"{fmt.value(trend, unit)}" if trend else f"шаг {fmt.value(step, unit)}: наименьший шаг, тренда в "
           "желательную сторону нет")
    why += f", эффект мер {fmt.value(effect, unit)}" if effect else ""
    return {**base, "achieved": True, "gap": gap, "proposed_next": proposed,
            "evidence_ru": f"{how}; на следующий год предлагается {fmt.value(proposed, unit)} "
                           f"({better} — лучше; {why})"}


def target_results(data: YearData, targets: list[dict], s: dict, effects: pd.DataFrame) -> pd.DataFrame:
    """One row per target of the year: region and municipalities."""
    rows = []
    municipalities = set(data.schools["municipality_code"])
    for t in targets:
        if not data.has_indicator(t["indicator"]) or data.polarity(t["indicator"]) not in ("higher_better",
                                                                                          "lower_better"):
            continue
        if data.year in (t.get("region") or {}):
            rows.append(_row(data, t, "region", "region", float(t["region"][data.year]), s, effects))
        for m, by_year in sorted((t.get("municipalities") or {}).items()):
            if m in municipalities and data.year in by_year:
                rows.append(_row(data, t, "municipality", m, float(by_year[data.year]), s, effects))
    return pd.DataFrame(rows, columns=COLUMNS)
