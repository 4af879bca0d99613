"""The recommendations catalogue methodologists edit (include/recommendations/catalogue.yaml): its rules,
read once and checked."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from edu_quality.config import PATHS

CATALOGUE = PATHS.root / "include" / "recommendations" / "catalogue.yaml"


@dataclass(frozen=True)
class Rule:
    code: str
    level: str          # the addressee's level: school | municipality
    addressee: str
    when: dict          # {indicator, level} | {risk_factor} | {status} | {always: true}
    text_ru: str
    due_months: int


def load_rules(path: Path = CATALOGUE) -> list[Rule]:
    items = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    rules = []
    for i in items:
        when = dict(i["when"])
        if not ({"indicator", "risk_factor", "status", "always"} & set(when)):
            raise ValueError(f"{path.name}: rule {i['code']}: unknown condition {when}")
        rules.append(Rule(i["code"], i.get("level", "school"), i["addressee"], when, " ".join(i["text_ru"].split()),
                          int(i.get("due_months", 1))))
    return rules


def rule_conditions(path: Path = CATALOGUE) -> dict[str, dict]:
    """Recommendation code → its condition (`when`): what the analysis of measures' effects needs to know of
    the catalogue, passed to it by the pipeline so that the analysis does not read a later stage."""
    return {rule.code: dict(rule.when) for rule in load_rules(path)}
