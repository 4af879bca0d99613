"""The recommendations catalogue methodologists edit (include/recommendations/catalogue.yaml): its rules,
read once and checked.

A rule's shape is the model below; what it names is checked against what exists: its indicator in the
catalogue sql/indicators/ (with a risk zone of the level it asks for), its risk factor in the analysis
settings (risk_profile.factors, assessable from the data). A rule that could never be chosen is refused,
not left to give no recommendation in silence.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from edu_quality.analysis.settings import SETTINGS_PATH, risk_factors
from edu_quality.checks import ConfigError, Located, Problem, item_label, read_yaml, shown, similar, validation_problems
from edu_quality.config import PATHS
from edu_quality.indicators.catalog import THRESHOLD_KEYS, indicator_metadata

CATALOGUE = PATHS.root / "include" / "recommendations" / "catalogue.yaml"

LEVELS = ("school", "municipality")
# The school statuses of the analysis (mart.school_status) a rule may be conditioned on. For a municipal rule,
# the municipality has at least one school of that status.
STATUSES = ("low_results", "unfavorable_conditions", "biased_results_suspected", "successful_practice")
# The directions of the heads' monitoring (mart.head_effectiveness) a rule may answer a deficit of.
HEAD_DIRECTIONS = tuple(f"H{n}" for n in range(1, 10))
CONDITIONS = ("indicator", "risk_factor", "status", "head_direction", "expert_review", "always")


@dataclass(frozen=True)
class Rule:
    code: str
    level: str          # the addressee's level: school | municipality
    addressee: str
    when: dict          # {indicator, level} | {risk_factor} | {status} | {head_direction} | {expert_review: true}
                        # | {always: true}
    text_ru: str
    due_months: int
    document_ru: str = ""   # the regulatory document the rule rests on (/work/shared/seeds), or nothing


Text = Annotated[str, Field(min_length=1)]


class Condition(BaseModel):
    """`when`: an indicator in a risk zone, a risk factor, a school status, a head's deficit in a direction, the
    municipality chosen for the in-depth expert review, or always. A municipal rule on a factor, a status or a
    direction holds for a municipality with at least one such school."""
    model_config = ConfigDict(extra="forbid")
    indicator: Text | None = None
    level: Literal[THRESHOLD_KEYS] | None = None
    at_least: bool | None = None
    risk_factor: Text | None = None
    status: Literal[STATUSES] | None = None
    head_direction: Literal[HEAD_DIRECTIONS] | None = None
    expert_review: Literal[True] | None = None
    always: Literal[True] | None = None

    @model_validator(mode="after")
    def _one(self):
        named = [k for k in CONDITIONS if getattr(self, k) is not None]
        if len(named) != 1:
            raise ValueError("условие when — ровно одно из: indicator (с level), risk_factor, status, "
                             "head_direction, expert_review: true или always: true; указано: "
                             f"{', '.join(named) or 'ничего'}")
        if self.indicator is not None and self.level is None:
            raise ValueError("условие по показателю требует level: risk_high или risk_medium (зона риска)")
        if self.indicator is None and (self.level is not None or self.at_least is not None):
            raise ValueError("level и at_least относятся только к условию по показателю (indicator)")
        return self


class RuleModel(BaseModel):
    """An item of the catalogue."""
    model_config = ConfigDict(extra="forbid")
    code: Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9-]*$")]
    level: Literal[LEVELS] = "school"
    addressee: Text
    when: Condition
    text_ru: Text
    due_months: Annotated[int, Field(ge=1)] = 1
    document_ru: Text | None = None


def _indicator_rule(when: dict, indicators: dict[str, dict]) -> str | None:
    code = when["indicator"]
    if code not in indicators:
        return f"показатель «{code}» не найден в каталоге sql/indicators/{similar(code, indicators)}"
    meta = indicators[code]
    thresholds = meta.get("thresholds") if isinstance(meta.get("thresholds"), dict) else {}
    zones = {k for k in THRESHOLD_KEYS if thresholds.get(k) is not None}
    if meta.get("polarity") == "neutral" or not (when["level"] in zones or (when.get("at_least") and
                                                                           "risk_high" in zones)):
        return (f"у показателя «{code}» нет порога {when['level']} (sql/indicators/{code}/metadata.yaml, "
                "thresholds): правило не было бы выбрано никогда")
    return None


def _factor_rule(code: str, factors: dict[str, bool] | None, settings: str) -> str | None:
    if factors is None:
        return f"фактор риска «{code}» не проверен: {settings} не читается"
    if code not in factors:
        return (f"фактор риска «{code}» не найден в {settings} (risk_profile.factors)"
                f"{similar(code, factors) or '; есть: ' + ', '.join(factors)}")
    if not factors[code]:
        return (f"фактор риска «{code}» не оценивается по данным (в {settings} у него no_data_ru без metrics): "
                "правило не было бы выбрано никогда")
    return None


def references(items: list[dict], indicators: dict[str, dict], factors: dict[str, bool] | None,
               settings: str) -> list[tuple[tuple, str]]:
    """(location, what is wrong) for each rule whose code repeats or whose condition names what does not exist
    or could never hold. `items` have passed the model."""
    found, seen = [], set()
    for i, item in enumerate(items):
        when, message = item["when"], None
        if item["code"] in seen:
            found.append(((i, "code"), f"код {item['code']} повторяется"))
        seen.add(item["code"])
        if "indicator" in when:
            message, loc = _indicator_rule(when, indicators), (i, "when", "indicator")
        elif "risk_factor" in when:
            message, loc = _factor_rule(when["risk_factor"], factors, settings), (i, "when", "risk_factor")
        if message is None and item.get("level", "school") == "school" and "expert_review" in when:
            message, loc = ("отбор на углублённую экспертизу — условие для муниципалитета: укажите "
                            "level: municipality"), (i, "when", "expert_review")
        if message:
            found.append((loc, message))
    return found


def check(doc: Located, indicators: dict[str, dict], factors: dict[str, bool] | None,
          settings: str) -> list[Problem]:
    """Each rule against the model, then the names of the rules that pass it."""
    items = doc.data if doc.data is not None else []
    if not isinstance(items, list):
        return [doc.problem((), "ожидается список правил (каждое с «- code: …»)")]
    label, problems, valid = item_label(items, "правило"), [], []
    for i, item in enumerate(items):
        try:
            RuleModel.model_validate(item)
            valid.append(i)
        except ValidationError as err:
            problems += validation_problems(err, doc, RuleModel, label, prefix=(i,))
    found = references([items[i] for i in valid], indicators, factors, settings)
    return problems + [doc.problem((valid[loc[0]],) + loc[1:], f"{label((valid[loc[0]],))}: {message}")
                       for loc, message in found]


def catalogue_problems(project: Path | None = None) -> list[Problem]:
    """`edu-quality check`: include/recommendations/catalogue.yaml of the project, against its indicator
    catalogue and its analysis settings."""
    project = project or PATHS.root
    settings_path = project / "include" / "analysis" / "settings.yaml"
    doc, problems = read_yaml(project / "include" / "recommendations" / "catalogue.yaml", project)
    if doc is None:
        return problems
    indicators = project / "sql" / "indicators"
    return problems + check(doc, indicator_metadata(indicators) if indicators.is_dir() else {},
                            risk_factors(settings_path), shown(settings_path, project))


def load_rules(path: Path = CATALOGUE) -> list[Rule]:
    doc, problems = read_yaml(path)
    if doc is not None:
        problems += check(doc, indicator_metadata(), risk_factors(), shown(SETTINGS_PATH))
    if problems:
        raise ConfigError(problems)
    return [Rule(i["code"], i.get("level", "school"), i["addressee"], dict(i["when"]), " ".join(i["text_ru"].split()),
                 int(i.get("due_months", 1)), " ".join((i.get("document_ru") or "").split()))
            for i in doc.data or []]


def rule_conditions(path: Path = CATALOGUE) -> dict[str, dict]:
    """Recommendation code → its condition (`when`): what the analysis of measures' effects needs to know of
    the catalogue, passed to it by the pipeline so that the analysis does not read a later stage."""
    return {rule.code: dict(rule.when) for rule in load_rules(path)}
