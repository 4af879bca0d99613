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
    key = key or hash_key()
    out = [None if v is None or v is pd.NA or v != v else
           hmac.new(key, str(v).strip().encode(), hashlib.sha256).hexdigest()[:32]
           for v in values.tolist()]
    return pd.Series(out, index=values.index, dtype="string")
