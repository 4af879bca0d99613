"""Every source the pipeline knows: the contract's own and those described in YAML."""
from __future__ import annotations

from edu_quality.sources.contract import LOAD_ORDER, SOURCES, Source
from edu_quality.sources.described import Described, described_sources


def source_by_name(name: str) -> Source:
    if name in SOURCES:
        return SOURCES[name]
    described = described_sources().get(name)
    if described is None:
        raise KeyError(f"unknown source {name!r}: not in the contract nor in include/sources/*.yaml")
    return described.source


def described(name: str) -> Described | None:
    return None if name in SOURCES else described_sources().get(name)


def all_names() -> list[str]:
    return [*LOAD_ORDER, *sorted(described_sources())]
