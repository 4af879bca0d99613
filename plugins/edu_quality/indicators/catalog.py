"""The indicator catalogue: one folder per indicator under sql/indicators/ (query.sql + metadata.yaml).

Adding an indicator is adding a folder; this module finds it, checks its metadata and publishes it
to core.indicator (read by analysts as mart.indicator_catalog). Names starting with `_` are the
catalogue's own files (`_not_computable.yaml`: what the sources cannot give), not indicators.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, TypeAdapter, ValidationError
from sqlalchemy import text
from sqlalchemy.engine import Connection

from edu_quality.checks import ConfigError, Located, Problem, item_label, read_yaml, shown, validation_problems
from edu_quality.config import PATHS

log = logging.getLogger(__name__)

UNITS = ("%", "балл", "чел.", "ед.", "кв. м")
POLARITIES = ("higher_better", "lower_better", "neutral")
# How school values become municipality and region values (compute.py):
#   ratio_of_sums        Σ numerators / Σ denominators: a school of 900 weighs more than one of 30;
#   share_of_schools     the same sums over a school's 1 or 0 out of 1: the share of schools that have it;
#   mean_of_schools      the plain mean of the school values (each school counts once);
#   median_of_schools    the median of the school values;
#   difference_of_ratios Σn/Σd − Σn₂/Σd₂: the query also gives numerator_2 and denominator_2;
#   sum_of_schools       Σ numerators: a count (graduates, say) whose school value is its numerator (denominator 1).
AGGREGATIONS = ("ratio_of_sums", "share_of_schools", "mean_of_schools", "median_of_schools",
                "difference_of_ratios", "sum_of_schools")
THRESHOLD_KEYS = ("risk_high", "risk_medium")
NOT_COMPUTABLE_FILE = "_not_computable.yaml"

Text = Annotated[str, Field(min_length=1)]
# A direction code is text ("1.1"); unquoted in YAML it reads as a number, which is taken as its text.
DirectionCode = Annotated[str, BeforeValidator(lambda v: str(v) if isinstance(v, (int, float)) else v),
                          Field(pattern=r"^\d\.\d$")]


class Thresholds(BaseModel):
    """Where the risk zones begin, on the bad side of the indicator's polarity."""
    model_config = ConfigDict(extra="forbid")
    risk_high: float | None = None
    risk_medium: float | None = None


class IndicatorMetadata(BaseModel):
    """sql/indicators/<code>/metadata.yaml."""
    model_config = ConfigDict(extra="forbid")
    code: Annotated[str, Field(pattern=r"^[a-z0-9_]+$")]
    name_ru: Text
    direction_code: DirectionCode
    direction_name_ru: Text
    unit: Literal[UNITS]
    polarity: Literal[POLARITIES]
    formula_ru: Text
    source: Text
    aggregation: Literal[AGGREGATIONS]
    scale: Annotated[float, Field(gt=0)]
    min_denominator: Annotated[int, Field(ge=1)] = 1
    thresholds: Thresholds | None = None
    notes_ru: str | None = None


class NotComputable(BaseModel):
    """An item of sql/indicators/_not_computable.yaml."""
    model_config = ConfigDict(extra="forbid")
    code: Annotated[str, Field(pattern=r"^[a-z0-9_]+$")]
    name_ru: Text
    direction_code: DirectionCode
    direction_name_ru: Text | None = None
    data_needed_ru: Text


# The fields a file must give (the others have defaults).
REQUIRED = tuple(name for name, info in IndicatorMetadata.model_fields.items() if info.is_required())
NOT_COMPUTABLE_REQUIRED = tuple(name for name, info in NotComputable.model_fields.items() if info.is_required())


@dataclass(frozen=True)
class Indicator:
    code: str
    name_ru: str
    direction_code: str
    direction_name_ru: str
    unit: str
    polarity: str
    formula_ru: str
    source: str
    aggregation: str
    scale: float
    min_denominator: int
    thresholds: dict
    query: str
    notes_ru: str | None = None


def _meaning(meta: IndicatorMetadata, folder: Path, doc: Located) -> list[Problem]:
    """What the model's types cannot say: the folder, the risk zones against the polarity, the scale."""
    out = []
    if meta.code != folder.name:
        out.append(doc.problem(("code",), f"код «{meta.code}» не совпадает с именем папки «{folder.name}»"))
    t = meta.thresholds or Thresholds()
    given = {k: v for k, v in (("risk_high", t.risk_high), ("risk_medium", t.risk_medium)) if v is not None}
    if meta.polarity == "neutral" and given:
        out.append(doc.problem(("thresholds",), "у контекстного показателя (polarity: neutral) порогов риска "
                                                "нет: уберите thresholds или укажите полярность"))
    elif len(given) == 2:
        high, medium = given["risk_high"], given["risk_medium"]
        if (meta.polarity == "lower_better" and high < medium) or (meta.polarity == "higher_better" and high > medium):
            side = "не меньше" if meta.polarity == "lower_better" else "не больше"
            out.append(doc.problem(("thresholds",), f"при полярности {meta.polarity} порог risk_high ({high:g}) "
                                                    f"должен быть {side} порога risk_medium ({medium:g})"))
    if meta.unit == "%" and meta.scale != 100 and meta.aggregation != "mean_of_schools":
        out.append(doc.problem(("scale",), f"доля в процентах считается с scale: 100, указано {meta.scale:g}"))
    return out


def _query_problems(folder: Path, aggregation: str, base: Path | None) -> list[Problem]:
    path = folder / "query.sql"
    file = shown(path, base)
    if not path.is_file():
        return [Problem(file, None, "нет файла query.sql с запросом показателя")]
    query = path.read_text(encoding="utf-8")
    out = []
    if ":year" not in query:
        out.append(Problem(file, None, "запрос не использует параметр :year (значения года)"))
    if aggregation == "difference_of_ratios" and not ("numerator_2" in query and "denominator_2" in query):
        out.append(Problem(file, None, "при aggregation: difference_of_ratios запрос даёт также numerator_2 и "
                                       "denominator_2"))
    return out


def _indicator(folder: Path, meta: dict) -> Indicator:
    notes = meta.get("notes_ru")
    return Indicator(
        code=meta["code"], name_ru=meta["name_ru"], direction_code=str(meta["direction_code"]),
        direction_name_ru=meta["direction_name_ru"], unit=meta["unit"], polarity=meta["polarity"],
        formula_ru=meta["formula_ru"], source=meta["source"], aggregation=meta["aggregation"],
        scale=float(meta["scale"]), min_denominator=int(meta.get("min_denominator", 1)),
        thresholds=dict(meta.get("thresholds") or {}),
        query=(folder / "query.sql").read_text(encoding="utf-8").strip().rstrip(";"),
        notes_ru=" ".join(str(notes).split()) if notes else None)


def check_indicator(folder: Path, base: Path | None = None) -> tuple[Indicator | None, list[Problem]]:
    """The indicator of a folder and the problems of its metadata.yaml and query.sql (None if any)."""
    doc, problems = read_yaml(folder / "metadata.yaml", base)
    if doc is None:
        return None, problems
    if not isinstance(doc.data, dict):
        return None, problems + [doc.problem((), "ожидаются поля показателя «ключ: значение» (code, name_ru, …)")]
    try:
        meta = IndicatorMetadata.model_validate(doc.data)
    except ValidationError as err:
        return None, problems + validation_problems(err, doc, IndicatorMetadata)
    problems += _meaning(meta, folder, doc) + _query_problems(folder, meta.aggregation, base)
    return (None if problems else _indicator(folder, doc.data)), problems


def load_indicator(folder: Path) -> Indicator:
    indicator, problems = check_indicator(folder)
    if problems:
        raise ConfigError(problems)
    return indicator


def _folders(root: Path) -> list[Path]:
    return [f for f in sorted(root.iterdir()) if f.is_dir() and not f.name.startswith(("_", "."))]


def indicator_codes(root: Path | None = None) -> set[str]:
    """The codes of the catalogue (its folders with a metadata.yaml), without reading them: what the
    settings and the recommendations catalogue may name."""
    return {f.name for f in _folders(root or PATHS.indicators) if (f / "metadata.yaml").exists()}


def indicator_metadata(root: Path | None = None) -> dict[str, dict]:
    """Code → the metadata.yaml as read, for each indicator whose file reads as a mapping (its own check
    reports the others): for the checks of what other files say about an indicator."""
    out = {}
    for code in sorted(indicator_codes(root)):
        doc, _ = read_yaml((root or PATHS.indicators) / code / "metadata.yaml")
        if doc is not None and isinstance(doc.data, dict):
            out[code] = doc.data
    return out


def check_catalog(root: Path | None = None, base: Path | None = None) -> tuple[list[Indicator], list[Problem]]:
    """Every indicator folder checked, and the directions' names compared across folders."""
    root = root or PATHS.indicators
    catalog, problems, names = [], [], {}
    for folder in _folders(root):
        if not (folder / "metadata.yaml").exists():
            problems.append(Problem(shown(folder, base), None, "в папке показателя нет metadata.yaml: показатель "
                                    "не войдёт в каталог (черновик — назовите папку с «_» в начале)"))
            continue
        indicator, found = check_indicator(folder, base)
        problems += found
        if indicator is None:
            continue
        first = names.setdefault(indicator.direction_code, (indicator.direction_name_ru, indicator.code))
        if first[0] != indicator.direction_name_ru:
            doc, _ = read_yaml(folder / "metadata.yaml", base)
            problems.append(doc.problem(("direction_name_ru",), f"направление {indicator.direction_code} названо "
                                        f"иначе, чем у показателя {first[1]}: «{first[0]}»"))
        catalog.append(indicator)
    return catalog, problems


def load_catalog(root: Path | None = None) -> list[Indicator]:
    catalog, problems = check_catalog(root)
    if problems:
        raise ConfigError(problems)
    return catalog


def check_not_computable(root: Path | None = None, base: Path | None = None) -> tuple[list[dict], list[Problem]]:
    path = (root or PATHS.indicators) / NOT_COMPUTABLE_FILE
    if not path.exists():
        return [], []
    doc, problems = read_yaml(path, base)
    if doc is None:
        return [], problems
    items = doc.data if doc.data is not None else []
    try:
        TypeAdapter(list[NotComputable]).validate_python(items)
    except ValidationError as err:
        return [], problems + validation_problems(err, doc, list[NotComputable], item_label(items, "показатель"))
    codes, seen = indicator_codes(root), set()
    for i, item in enumerate(items):
        if item["code"] in codes:
            problems.append(doc.problem((i, "code"), f"показатель «{item['code']}» есть в каталоге: он "
                                                     "рассчитывается, уберите его из списка нерассчитываемых"))
        if item["code"] in seen:
            problems.append(doc.problem((i, "code"), f"код «{item['code']}» повторяется"))
        seen.add(item["code"])
        item["direction_code"] = str(item["direction_code"])
    return items, problems


def load_not_computable(root: Path | None = None) -> list[dict]:
    """Indicators of the directions that the contract's sources cannot give, with the data they need."""
    items, problems = check_not_computable(root)
    if problems:
        raise ConfigError(problems)
    return items


def catalog_problems(project: Path | None = None) -> list[Problem]:
    """`edu-quality check`: every sql/indicators/<code>/metadata.yaml (and query.sql), and _not_computable.yaml."""
    project = project or PATHS.root
    root = project / "sql" / "indicators"
    if not root.is_dir():
        return [Problem(shown(root, project), None, "нет папки каталога показателей")]
    _, problems = check_catalog(root, project)
    return problems + check_not_computable(root, project)[1]


def publish(conn: Connection, catalog: list[Indicator]) -> None:
    """Make core.indicator (mart.indicator_catalog) the catalogue: its indicators added or updated, and
    those no longer in it removed, with their values in every year (mart.indicator_values lists only
    catalogued indicators). The analysis tables keep their own copies of codes and names: they are each
    year's results and are rewritten when that year is analysed again."""
    if not catalog:
        raise ValueError("the indicator catalogue is empty: refusing to remove every published indicator")
    codes = [ind.code for ind in catalog]
    removed = list(conn.execute(text(
        "select indicator_code from core.indicator where indicator_code <> all(:codes) order by 1"),
        {"codes": codes}).scalars())
    if removed:
        conn.execute(text("delete from core.indicator_value where indicator_code = any(:codes)"), {"codes": removed})
        conn.execute(text("delete from core.indicator where indicator_code = any(:codes)"), {"codes": removed})
        log.warning("показатели удалены из каталога и из хранилища вместе со значениями: %s", ", ".join(removed))
    for ind in catalog:
        conn.execute(text(
            "insert into core.indicator (indicator_code, name_ru, direction_code, direction_name_ru, unit, "
            "polarity, formula_ru, source, aggregation, scale, min_denominator, thresholds, notes_ru) values "
            "(:code, :name_ru, :direction_code, :direction_name_ru, :unit, :polarity, :formula_ru, :source, "
            ":aggregation, :scale, :min_denominator, cast(:thresholds as jsonb), :notes_ru) "
            "on conflict (indicator_code) do update set name_ru = excluded.name_ru, "
            "direction_code = excluded.direction_code, direction_name_ru = excluded.direction_name_ru, "
            "unit = excluded.unit, polarity = excluded.polarity, formula_ru = excluded.formula_ru, "
            "source = excluded.source, aggregation = excluded.aggregation, scale = excluded.scale, "
            "min_denominator = excluded.min_denominator, thresholds = excluded.thresholds, "
            "notes_ru = excluded.notes_ru"),
            {**ind.__dict__, "thresholds": json.dumps(ind.thresholds, ensure_ascii=False)})
