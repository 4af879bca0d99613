"""The recommendations catalogue covers the analysis: every risk factor the data can put a school at, every
direction of the heads' monitoring and every status has a rule for the school and for its municipality, and
every rule's basis names one of the regulations the product serves (../shared/seeds) or nothing."""
from __future__ import annotations

from edu_quality.analysis.settings import risk_factors
from edu_quality.recommendations.catalogue import HEAD_DIRECTIONS, STATUSES, load_rules

# The regulations the product serves (../shared/seeds/README.md), as the catalogue names them.
SEEDS = ("министерства образования Иркутской области от 5 марта 2022 г. № 55-ддз-пер",
         "управления образования городского округа Ревда от 30.12.2020 № 523",
         "управления образования муниципального района Ишимбайский район от 05.07.2021 № 1048")


def _answered(level: str, kind: str) -> set[str]:
    return {r.when[kind] for r in load_rules() if r.level == level and kind in r.when}


def test_every_computed_factor_direction_and_status_has_a_school_rule():
    computed = {code for code, assessable in risk_factors().items() if assessable}
    assert computed and computed <= _answered("school", "risk_factor"), computed - _answered("school", "risk_factor")
    assert set(HEAD_DIRECTIONS) <= _answered("school", "head_direction")
    assert set(STATUSES) <= _answered("school", "status")


def test_every_direction_and_status_has_a_municipal_rule_and_the_expert_review_one():
    assert set(HEAD_DIRECTIONS) <= _answered("municipality", "head_direction")
    assert set(STATUSES) <= _answered("municipality", "status")
    assert any("expert_review" in r.when for r in load_rules() if r.level == "municipality")


def test_every_basis_is_a_served_regulation_with_its_point():
    for rule in load_rules():
        if rule.document_ru:
            assert any(seed in rule.document_ru for seed in SEEDS), (rule.code, rule.document_ru)
            assert "п. " in rule.document_ru, rule.code
