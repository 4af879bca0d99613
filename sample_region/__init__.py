"""Sample region generator: a realistic, reproducible inbox with planted problems (see generate)."""
from __future__ import annotations

from .generator import generate

__all__ = ["generate"]
