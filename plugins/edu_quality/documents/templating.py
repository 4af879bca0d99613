"""The one Jinja2 environment of every page and document: templates in include/templates/, the Russian
number and date formatter (edu_quality.formatting) as its filters."""
from __future__ import annotations

from functools import cache

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from edu_quality.config import PATHS
from edu_quality.formatting import JINJA_FILTERS


@cache
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(PATHS.templates)), autoescape=select_autoescape(
        ["html", "j2"]), undefined=StrictUndefined, trim_blocks=False, lstrip_blocks=False)
    env.filters.update(JINJA_FILTERS)
    return env


@cache
def markdown_environment() -> Environment:
    """The same environment for Markdown pages: nothing escaped, and a block tag on a line of its own
    leaves no line behind (trim_blocks, lstrip_blocks), so the template reads like the page."""
    return environment().overlay(autoescape=False, trim_blocks=True, lstrip_blocks=True)
