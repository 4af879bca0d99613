"""Named random streams: every part of the region draws from its own generator.

A stream depends only on the seed and its name, so adding draws in one module never shifts the
numbers another module gets (the files of one source stay stable while another source evolves).
"""
from __future__ import annotations

import zlib

import numpy as np


def stream(seed: int, *names: str | int) -> np.random.Generator:
    """A PCG64 generator keyed by the seed and a path of names, e.g. stream(seed, "vpr", 5, "Математика")."""
    key = "/".join(str(n) for n in names).encode("utf-8")
    return np.random.Generator(np.random.PCG64([seed, zlib.crc32(key), len(key)]))


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))
