"""The analysis parameters: include/analysis/settings.yaml, read once per run and checked.

Every threshold the analysis uses comes from this file (or from a constant in the module that uses
it, which docs/methodology.md also shows); nothing else decides a verdict.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import yaml

from edu_quality.config import PATHS

SETTINGS_PATH = PATHS.root / "include" / "analysis" / "settings.yaml"

REQUIRED_SECTIONS = ("general", "objectivity", "low_results", "unfavorable_conditions", "risk_profile",
                     "head_effectiveness", "successful_practices", "clusters", "municipalities",
                     "measure_effects")
RISK_WHEN = ("high", "low")
SCORE_KINDS = ("percentile", "value")


class SettingsError(ValueError):
    pass


def metric_source(spec: dict) -> tuple[str, str]:
    """(source, code) of a metric spec: indicator (catalogue code), school (core.school field) or
    analysis (a value this layer computes)."""
    found = [(k, spec[k]) for k in ("indicator", "school", "analysis") if k in spec]
    if len(found) != 1:
        raise SettingsError(f"metric {spec!r}: name exactly one of indicator / school / analysis")
    return found[0]


def validate(s: dict) -> dict:
    missing = [k for k in REQUIRED_SECTIONS if k not in s]
    if missing:
        raise SettingsError(f"settings lack sections: {', '.join(missing)}")
    if int(s["general"]["min_participants"]) < 1 or not 0 < float(s["general"]["alpha"]) < 1:
        raise SettingsError("general.min_participants must be ≥ 1 and alpha in (0, 1)")
    for factor in s["risk_profile"]["factors"]:
        if not factor.get("metrics") and not factor.get("no_data_ru"):
            raise SettingsError(f"risk factor {factor.get('code')}: give metrics or no_data_ru")
        for m in factor.get("metrics") or []:
            metric_source(m)
            if m.get("risk_when") not in RISK_WHEN or (("percentile" in m) == ("value" in m)):
                raise SettingsError(f"risk factor {factor['code']}: {m!r} needs risk_when high|low and "
                                    "exactly one of percentile / value")
    for d in s["head_effectiveness"]["directions"]:
        if not d.get("metrics") and not d.get("no_data_ru"):
            raise SettingsError(f"direction {d.get('code')}: give metrics or no_data_ru")
        for m in d.get("metrics") or []:
            metric_source(m)
            if m.get("score", "percentile") not in SCORE_KINDS:
                raise SettingsError(f"direction {d['code']}: score must be percentile or value")
    k = s["clusters"]["schools"]
    if not 2 <= int(k["k_min"]) <= int(k["k_max"]):
        raise SettingsError("clusters.schools: need 2 ≤ k_min ≤ k_max")
    return s


def load_settings(path: Path | None = None) -> dict:
    path = path or SETTINGS_PATH
    return validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def settings_sha256(path: Path | None = None) -> str:
    return hashlib.sha256((path or SETTINGS_PATH).read_bytes()).hexdigest()
