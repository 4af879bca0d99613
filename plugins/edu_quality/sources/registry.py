"""Every source the pipeline knows, each from its description (include/sources/*.yaml)."""
from __future__ import annotations

from edu_quality.sources.description import SourceDescription, descriptions
from edu_quality.sources.model import Source


def description(name: str) -> SourceDescription:
    found = descriptions().get(name)
    if found is None:
        raise KeyError(f"unknown source {name!r}: no include/sources/{name}.yaml")
    return found


def source_by_name(name: str) -> Source:
    return description(name).source()


def all_names() -> list[str]:
    """In load order: references before the files that point at them."""
    return list(descriptions())
