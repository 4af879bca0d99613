"""The analysis parameters: include/analysis/settings.yaml, read once per run and checked.

Every threshold the analysis uses comes from this file (or from a constant in the module that uses
it, which docs/methodology.md also shows); nothing else decides a verdict. The model below says what
each section holds; `references` checks every name the file uses against what exists (the indicator
catalogue sql/indicators/, the school fields and values of names.py). The analysis reads the file as the
plain dict yaml gives, once it has passed both.
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from edu_quality.checks import ConfigError, Located, Problem, read_yaml, shown, similar, validation_problems, where
from edu_quality.config import PATHS
from edu_quality.indicators.catalog import UNITS, indicator_codes

from .names import ANALYSIS_INDICATORS, ANALYSIS_METRICS, SCHOOL_CLUSTER_FEATURES, SCHOOL_FIELDS

SETTINGS_PATH = PATHS.root / "include" / "analysis" / "settings.yaml"

REQUIRED_SECTIONS = ("general", "objectivity", "low_results", "unfavorable_conditions", "risk_profile",
                     "head_effectiveness", "successful_practices", "clusters", "municipalities",
                     "measure_effects", "municipal_risk_profile", "targets", "management_cycle")
RISK_WHEN = ("high", "low")
SCORE_KINDS = ("percentile", "value")
# The kinds of objectivity signals (analysis/objectivity.py KINDS).
KINDS_OF_SIGNALS = ("journal", "boundary", "context", "oge", "jump", "tasks", "gia", "olympiad")
METRIC_SOURCES = ("indicator", "school", "analysis")


class SettingsError(ConfigError):
    pass


def metric_source(spec: dict) -> tuple[str, str]:
    """(source, code) of a metric spec: indicator (catalogue code), school (core.school field) or
    analysis (a value this layer computes)."""
    found = [(k, spec[k]) for k in METRIC_SOURCES if k in spec]
    if len(found) != 1:
        raise SettingsError(f"metric {spec!r}: name exactly one of indicator / school / analysis")
    return found[0]


# --- the model -------------------------------------------------------------------------------------

class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


Text = Annotated[str, Field(min_length=1)]
Count = Annotated[int, Field(ge=1)]
Whole = Annotated[int, Field(ge=0)]
Percent = Annotated[float, Field(ge=0, le=100)]
Fraction = Annotated[float, Field(ge=0, le=1)]
Positive = Annotated[float, Field(gt=0)]


def _one_source(metric: BaseModel) -> None:
    named = [k for k in METRIC_SOURCES if getattr(metric, k) is not None]
    if len(named) != 1:
        raise ValueError("показатель называется ровно одним из: indicator (код каталога), school (поле ОО) "
                         f"или analysis (величина аналитического слоя); указано: {', '.join(named) or 'ничего'}")


class General(_Section):
    min_participants: Count
    alpha: Annotated[float, Field(gt=0, lt=1)]
    min_schools_model: Count


class RatioMax(_Section):
    ratio_max: Positive


class JournalGap(_Section):
    ratio_min: Positive
    min_value: Percent


class BoundaryPeak(_Section):
    ratio_min: Positive
    min_window: Count


class ZMin(_Section):
    z_min: Positive


class VprVsOge(_Section):
    grade: Annotated[int, Field(ge=4, le=11)]
    excess_min_pp: Positive


class Jump(_Section):
    excess_min_pp: Positive


class Bunching(_Section):
    gap: Count


class TaskInversion(_Section):
    excess_min_pp: Positive
    band_share: Annotated[float, Field(gt=0, le=0.5)]


class Gia(_Section):
    excess_min_pp: Positive
    boundary_min_share: Percent


class Pooled(_Section):
    z_min: Positive
    min_groups: Count
    null_min_schools: Count
    alone_z_by_kind: dict[Literal[KINDS_OF_SIGNALS], Positive] | None = None


class Rollup(_Section):
    min_share_of_groups: Percent
    min_groups: Count
    min_groups_by_kind: dict[Literal[KINDS_OF_SIGNALS], Count] | None = None
    pooled: Pooled


class ClaimedDetection(_Section):
    bonus_points: tuple[Count, Count]
    bonus_share: tuple[Fraction, Fraction]
    push_share: tuple[Fraction, Fraction]
    push_gap: Count
    leak_share: tuple[Fraction, Fraction]
    school_types: Annotated[list[Text], Field(min_length=1)]
    school_min_students: Count
    room_max_quality: Percent

    @field_validator("bonus_points", "bonus_share", "push_share", "leak_share")
    @classmethod
    def _range(cls, value: tuple):
        if value[0] > value[1]:
            raise ValueError(f"диапазон [от, до]: начало {value[0]} больше конца {value[1]}")
        return value


class Objectivity(_Section):
    journal_lowered: RatioMax
    journal_gap_2plus: JournalGap
    boundary_peak: BoundaryPeak
    context_residual: ZMin
    vpr_vs_oge: VprVsOge
    jump: Jump
    bunching: Bunching
    task_inversion: TaskInversion
    gia: Gia
    olympiad: RatioMax
    rollup: Rollup
    suspected_min_kinds: Count
    claimed_detection: ClaimedDetection


class Procedure(_Section):
    code: Text
    name_ru: Text
    indicators: Annotated[list[Text], Field(min_length=1)]


class LowResults(_Section):
    percentile: Percent
    procedures: Annotated[list[Procedure], Field(min_length=1)]


class UnfavorableConditions(_Section):
    percentile: Percent
    social_fields: dict[str, Text]
    small_school_max_students: Whole
    min_social_signs: Whole
    min_signs: Whole


class RiskMetric(_Section):
    indicator: str | None = None
    school: str | None = None
    analysis: str | None = None
    risk_when: Literal[RISK_WHEN]
    percentile: Percent | None = None
    value: float | None = None

    @model_validator(mode="after")
    def _complete(self):
        _one_source(self)
        if (self.percentile is None) == (self.value is None):
            raise ValueError("порог показателя — ровно одно из: percentile (процентиль региона) или value (число)")
        return self


class RiskFactor(_Section):
    code: Text
    name_ru: Text
    metrics: list[RiskMetric] | None = None
    no_data_ru: Text | None = None
    note_ru: Text | None = None

    @model_validator(mode="after")
    def _assessable(self):
        if not self.metrics and not self.no_data_ru:
            raise ValueError(f"фактор {self.code}: укажите metrics или no_data_ru (почему его нельзя оценить)")
        return self


class RiskProfile(_Section):
    factors: Annotated[list[RiskFactor], Field(min_length=1)]


class HeadMetric(_Section):
    indicator: str | None = None
    school: str | None = None
    analysis: str | None = None
    score: Literal[SCORE_KINDS] = "percentile"
    part: Text | None = None

    @model_validator(mode="after")
    def _complete(self):
        _one_source(self)
        return self


class Direction(_Section):
    code: Text
    name_ru: Text
    metrics: list[HeadMetric] | None = None
    no_data_ru: Text | None = None
    note_ru: Text | None = None

    @model_validator(mode="after")
    def _assessable(self):
        if not self.metrics and not self.no_data_ru:
            raise ValueError(f"направление {self.code}: укажите metrics или no_data_ru (почему его нельзя оценить)")
        return self


class HeadEffectiveness(_Section):
    # Whether the heads' score takes the metrics built on ВПР (Rosobrnadzor: ВПР is not for evaluation).
    use_vpr: bool = True
    min_directions: Count
    deficit_below: Percent
    assessment_valid_years: Positive
    ovz_specialist_positions: list[Text]
    directions: Annotated[list[Direction], Field(min_length=1)]


class SuccessfulPractices(_Section):
    min_results_score: Percent
    context_residual_z_min: float
    trend_years: Annotated[int, Field(ge=2)]
    trend_min_gain: float


class _K(_Section):
    k_min: Annotated[int, Field(ge=2)]
    k_max: int
    features: Annotated[list[Text], Field(min_length=1)]

    @model_validator(mode="after")
    def _order(self):
        if self.k_min > self.k_max:
            raise ValueError(f"нужно 2 ≤ k_min ≤ k_max, указано k_min {self.k_min}, k_max {self.k_max}")
        return self


class MunicipalClusters(_K):
    min_units: Count


class Naming(_Section):
    results_high_z: float
    results_low_z: float
    rural_share: Fraction
    small_students: Whole
    large_students: Whole
    context_high_z: float

    @model_validator(mode="after")
    def _order(self):
        if self.results_low_z > self.results_high_z or self.small_students > self.large_students:
            raise ValueError("нужно results_low_z ≤ results_high_z и small_students ≤ large_students")
        return self


class Clusters(_Section):
    seed: int
    clip_z: Positive
    n_init: Count
    max_iter: Count
    schools: _K
    municipalities: MunicipalClusters
    naming: Naming


class ExpertReview(_Section):
    count: Count
    max_share: Percent


class Correlations(_Section):
    pairs: list[tuple[Text, Text]]
    min_schools: Annotated[int, Field(ge=3)]
    weaker_by: Positive


class Municipalities(_Section):
    ranking_indicators: Annotated[list[Text], Field(min_length=1)]
    # Whether the composite score takes the components built on ВПР (Rosobrnadzor: not for ratings).
    use_vpr: bool = True
    expert_review: ExpertReview
    correlations: Correlations


class MunicipalRiskProfile(_Section):
    ratio: Positive
    school_min_factors: Count
    head_min_deficits: Count
    staffing_factor: Text


class TargetProposals(_Section):
    min_step: dict[Literal[UNITS], Positive]
    trend_years: Annotated[int, Field(ge=2)]


class Mechanism(_Section):
    code: Text
    name_ru: Text
    directions: Annotated[list[Text], Field(min_length=1)]
    analysis: Text


class ManagementCycle(_Section):
    mechanisms: Annotated[list[Mechanism], Field(min_length=1)]


class MeasureEffects(_Section):
    targets: dict[str, Text] | None = None
    alpha: Annotated[float, Field(gt=0, lt=1)]


class Settings(_Section):
    """include/analysis/settings.yaml."""
    general: General
    objectivity: Objectivity
    low_results: LowResults
    unfavorable_conditions: UnfavorableConditions
    risk_profile: RiskProfile
    head_effectiveness: HeadEffectiveness
    successful_practices: SuccessfulPractices
    clusters: Clusters
    municipalities: Municipalities
    measure_effects: MeasureEffects
    municipal_risk_profile: MunicipalRiskProfile
    targets: TargetProposals
    management_cycle: ManagementCycle


# --- the names the file uses -------------------------------------------------------------------------

def _list(value) -> list:
    return value if isinstance(value, list) else []


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _indicator(code, codes: set[str]) -> str | None:
    if not isinstance(code, str) or code in codes:  # not text: the model says so
        return None
    return f"показатель «{code}» не найден в каталоге sql/indicators/{similar(code, codes)}"


def _known(code, known, what: str) -> str | None:
    """`what` names the kind of name with its verb: «поле ОО {} неизвестно»."""
    if not isinstance(code, str) or code in known:
        return None
    return what.format(f"«{code}»") + (similar(code, known) or "; известны: " + ", ".join(known))


def _metric(spec: dict, codes: set[str]) -> str | None:
    if spec.get("indicator") is not None:
        return _indicator(spec["indicator"], codes)
    if spec.get("school") is not None:
        return _known(spec["school"], SCHOOL_FIELDS, "поле ОО {} неизвестно")
    if spec.get("analysis") is not None:
        return _known(spec["analysis"], ANALYSIS_METRICS, "значение аналитического слоя {} неизвестно")
    return None


def _municipal(code, codes: set[str]) -> str | None:
    """A municipal indicator: the catalogue's or one of the an_* this layer computes."""
    if not isinstance(code, str) or code in codes or code in ANALYSIS_INDICATORS:
        return None
    if str(code).startswith("an_"):
        return _known(code, ANALYSIS_INDICATORS, "показатель аналитического слоя {} неизвестен")
    return _indicator(code, codes | set(ANALYSIS_INDICATORS))


def _duplicates(items: list, loc: tuple, what: str) -> list[tuple[tuple, str]]:
    seen, out = set(), []
    for i, item in enumerate(items):
        code = _dict(item).get("code")
        if not isinstance(code, str):
            continue
        if code in seen:
            out.append((loc + (i, "code"), f"{what} {code} повторяется"))
        seen.add(code)
    return out


def references(s: dict, codes: set[str]) -> list[tuple[tuple, str]]:
    """(location, what is wrong) for every name the settings use that does not exist, and for repeated codes."""
    found: list[tuple[tuple, str | None]] = []
    for i, p in enumerate(_list(_dict(s.get("low_results")).get("procedures"))):
        found += [(("low_results", "procedures", i, "indicators", j), _indicator(c, codes))
                  for j, c in enumerate(_list(_dict(p).get("indicators")))]
    for key, section in (("risk_profile", "factors"), ("head_effectiveness", "directions")):
        items = _list(_dict(s.get(key)).get(section))
        found += _duplicates(items, (key, section), "код")
        for i, item in enumerate(items):
            metrics = [m for m in _list(_dict(item).get("metrics")) if isinstance(m, dict)]
            found += [((key, section, i, "metrics", j, next((k for k in METRIC_SOURCES if k in m), "")),
                       _metric(m, codes)) for j, m in enumerate(metrics)]
    found += [(("unfavorable_conditions", "social_fields", f), _known(f, SCHOOL_FIELDS, "поле ОО {} неизвестно"))
              for f in _dict(_dict(s.get("unfavorable_conditions")).get("social_fields"))]
    clusters = _dict(s.get("clusters"))
    found += [(("clusters", "schools", "features", j),
               _known(f, SCHOOL_CLUSTER_FEATURES, "признак кластеров ОО {} неизвестен"))
              for j, f in enumerate(_list(_dict(clusters.get("schools")).get("features")))]
    found += [(("clusters", "municipalities", "features", j), _municipal(f, codes))
              for j, f in enumerate(_list(_dict(clusters.get("municipalities")).get("features")))]
    m = _dict(s.get("municipalities"))
    found += [(("municipalities", "ranking_indicators", j), _municipal(c, codes))
              for j, c in enumerate(_list(m.get("ranking_indicators")))]
    found += [(("municipalities", "correlations", "pairs", j, k), _indicator(c, codes))
              for j, pair in enumerate(_list(_dict(m.get("correlations")).get("pairs")))
              for k, c in enumerate(_list(pair))]
    found += [(("measure_effects", "targets", code), _indicator(c, codes))
              for code, c in _dict(_dict(s.get("measure_effects")).get("targets")).items()]
    return [(loc, message) for loc, message in found if message]


def check(doc: Located, codes: set[str]) -> list[Problem]:
    """The problems of a settings document: its shape (the model), then the names it uses."""
    if not isinstance(doc.data, dict):
        return [doc.problem((), "ожидаются разделы настроек: " + ", ".join(REQUIRED_SECTIONS))]
    try:
        Settings.model_validate(doc.data)
        problems = []
    except ValidationError as err:
        problems = validation_problems(err, doc, Settings)
    return problems + [doc.problem(loc, f"{where(loc)}: {message}") for loc, message in references(doc.data, codes)]


def validate(s: dict, indicators: Path | None = None) -> dict:
    """Settings given as a dict (no lines to point at): checked the same way."""
    problems = check(Located(shown(SETTINGS_PATH), s), indicator_codes(indicators))
    if problems:
        raise SettingsError(problems)
    return s


def load_settings(path: Path | None = None, indicators: Path | None = None) -> dict:
    doc, problems = read_yaml(path or SETTINGS_PATH)
    if doc is not None:
        problems += check(doc, indicator_codes(indicators))
    if problems:
        raise SettingsError(problems)
    return doc.data


def settings_problems(project: Path | None = None) -> list[Problem]:
    """`edu-quality check`: include/analysis/settings.yaml of the project, against its sql/indicators/."""
    project = project or PATHS.root
    indicators = project / "sql" / "indicators"
    doc, problems = read_yaml(project / "include" / "analysis" / "settings.yaml", project)
    if doc is None:
        return problems
    return problems + check(doc, indicator_codes(indicators) if indicators.is_dir() else set())


def risk_factors(path: Path | None = None) -> dict[str, bool] | None:
    """Risk factor code → whether the data can put a school at risk on it (the factor has metrics), as the
    settings file names them, for the recommendations catalogue's check; None if the file cannot be read."""
    doc, _ = read_yaml(path or SETTINGS_PATH)
    if doc is None or not isinstance(doc.data, dict):
        return None
    factors: Any = _dict(doc.data.get("risk_profile")).get("factors")
    return {f["code"]: bool(f.get("metrics")) for f in _list(factors) if isinstance(f, dict) and "code" in f}


def settings_sha256(path: Path | None = None) -> str:
    return hashlib.sha256((path or SETTINGS_PATH).read_bytes()).hexdigest()
