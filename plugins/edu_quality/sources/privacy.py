"""Personal data: participant and teacher codes become keyed hashes (HMAC-SHA-256) before storage.

The key comes from configuration (edu_quality.config.hash_key), never from the repo, so a leaked
warehouse does not let anyone match codes back to children without the key.
"""
from __future__ import annotations

import hashlib
import hmac

import pandas as pd

from edu_quality.config import hash_key


def keyed_hash(values: pd.Series, key: bytes | None = None) -> pd.Series:
    keyed = hmac.new(key or hash_key(), digestmod=hashlib.sha256)

    def digest(text: str) -> str:
        h = keyed.copy()  # the keyed state copied: same digest as hmac.new(key, text), without re-keying
        h.update(text.strip().encode())
        return h.hexdigest()[:32]

    out = [None if v is None or v is pd.NA or v != v else digest(str(v)) for v in values.tolist()]
    return pd.Series(out, index=values.index, dtype="string")
