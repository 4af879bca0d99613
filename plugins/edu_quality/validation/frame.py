"""The frame a chunk becomes before Great Expectations reads it (Prepared), what it is checked against
(Context: the year, the references), and the helpers rules share to build derived columns."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from edu_quality.sources.codes import LookAlikes
from edu_quality.sources.registry import description


@dataclass
class Context:
    """What a file is validated against: the year and the references already in the warehouse."""
    year: int
    school_codes: list[str] = field(default_factory=list)
    municipality_codes: list[str] = field(default_factory=list)   # the year's municipalities (schools.*)
    # Rows of the references a source's rules read (vpr_scales, gia_thresholds): their `context` columns.
    references: dict[str, pd.DataFrame] = field(default_factory=dict)
    today: date = field(default_factory=date.today)
    seen_keys: set = field(default_factory=set)       # digests of keys seen (see remember / seen)
    first_names: dict = field(default_factory=dict)   # municipality code → the name that counts
    first_codes: dict = field(default_factory=dict)   # canonical school code → first spelling seen
    # Codes of schools whose row in the year's reference was quarantined → why (their results say so).
    quarantined_schools: dict[str, str] = field(default_factory=dict)
    _known: frozenset | None = None
    _lookalikes: LookAlikes | None = None

    def remember(self, keys: list[str]) -> None:
        """Keys of rows already accepted (earlier chunks, other files): duplicates of them are repeats."""
        self.seen_keys.update(map(key_digest, keys))

    def seen(self, keys: list) -> np.ndarray:
        """Per key, whether it was remembered (missing keys never were)."""
        got = self.seen_keys
        return np.fromiter((isinstance(k, str) and key_digest(k) in got for k in keys), dtype=bool, count=len(keys))

    def reference(self, source: str) -> pd.DataFrame:
        """A reference's rows (an empty frame of its context columns if none was loaded)."""
        found = self.references.get(source)
        return found if found is not None else pd.DataFrame(columns=list(description(source).context))

    def lookalikes(self) -> LookAlikes:
        if self._lookalikes is None:
            self._lookalikes = LookAlikes(self.known_codes())
        return self._lookalikes

    def known_codes(self) -> frozenset:
        if self._known is None:
            self._known = frozenset(self.school_codes)
        return self._known


def key_digest(key: str) -> bytes:
    """128 bits of BLAKE2b: a 10-million-row file's keys held as text took 1.8 GB (Cyrillic text is two
    bytes a character); as digests a third of it. Collisions are as likely as for the 128-bit participant
    hashes the warehouse keys rows by."""
    return hashlib.blake2b(key.encode(), digest_size=16).digest()


@dataclass
class Prepared:
    frame: pd.DataFrame                 # typed + derived columns and `_row`
    headers: dict[str, str]             # warehouse column name → header as written in the file
    dropped: list[str]                  # personal-data headers dropped on read
    extra_expectations: list[dict]      # per-file expectations (self-evaluation indicator columns)
    task_columns: list[tuple[str, str, int]] = field(default_factory=list)  # (column, task id, max)
    raw: RawCells | None = None

    def raw_of(self, rows) -> dict[int, dict]:
        """The cells as the file wrote them, for the given physical rows (quarantine keeps them)."""
        return self.raw.records(rows) if self.raw is not None else {}


MAX_RAW_CELL = 200  # characters of a cell kept in quarantine: enough to see what is wrong, never a file's worth


def _shortened(cell: str) -> str:
    return cell if len(cell) <= MAX_RAW_CELL else cell[:MAX_RAW_CELL] + f"… (ещё {len(cell) - MAX_RAW_CELL} зн.)"


@dataclass
class RawCells:
    """The raw text of a chunk, turned into {header: text} only for the rows that need it: building
    it for every row cost more than validating them."""
    chunk: pd.DataFrame
    names: list[str]            # headers kept (personal-data columns are not)
    columns: list[str]          # their chunk columns
    code_header: str | None     # the participant-code header: its text is replaced by the keyed hash
    codes: pd.Series | None     # the parsed participant codes of the chunk (same index)

    def records(self, rows) -> dict[int, dict]:
        picked = self.chunk["_row"].isin(list(rows))
        if not picked.any():
            return {}
        numbers = self.chunk.loc[picked, "_row"].tolist()
        values = self.chunk.loc[picked, self.columns].fillna("").to_numpy(dtype=object)
        out = {int(n): dict(zip(self.names, map(_shortened, row))) for n, row in zip(numbers, values)}
        if self.code_header in self.names and self.codes is not None:
            from edu_quality.sources.privacy import keyed_hash

            for n, h in zip(numbers, keyed_hash(self.codes[picked]).fillna("").tolist()):
                out[int(n)][self.code_header] = h
        return out


def unknown_codes(codes: pd.Series, ctx: Context) -> pd.Series:
    """The school codes not in the year's schools reference (None for known or empty ones). Compared here,
    not by GX's in-set rule: GX copies a rule's 40,000-code parameter every time it reads the rule."""
    known = ctx.known_codes()
    values = codes.astype(object).tolist()
    unknown = [v if v is not None and v is not pd.NA and v == v and v not in known else None for v in values]
    return pd.Series(unknown, index=codes.index, dtype=object)


def school_code_findings(frame: pd.DataFrame, codes: pd.Series, ctx: Context) -> None:
    """`_unknown_school` (a code in no row of the reference) with `_unknown_school_hint` (the known code it
    looks like), and `_school_quarantined` (why the school's own row of the reference was quarantined)."""
    unknown = unknown_codes(codes, ctx)
    quarantined = unknown.map(ctx.quarantined_schools.get) if ctx.quarantined_schools else \
        pd.Series(None, index=unknown.index, dtype=object)
    frame["_school_quarantined"] = quarantined.astype(object)
    frame["_unknown_school"] = unknown.where(quarantined.isna(), None).astype(object)
    hints = ctx.lookalikes()
    frame["_unknown_school_hint"] = frame["_unknown_school"].map(
        lambda c: hints.hint(c) if isinstance(c, str) else None)


def repeated_keys(frame: pd.DataFrame, keys: list[str], ctx: Context) -> pd.Series:
    """The key text for rows whose key was already seen (in this chunk or an earlier one)."""
    parts = [frame[k].astype("string").fillna("").tolist() for k in keys]
    key = pd.Series(["|".join(p) for p in zip(*parts)] if len(parts) > 1 else parts[0],
                    index=frame.index, dtype="object")
    # Seen in an earlier chunk or file, or earlier in this chunk: the first occurrence stays valid.
    # Set membership per key: Series.isin(set) would rebuild a hash table of every key seen so far for each
    # chunk (quadratic over a two-million-row file).
    repeated = key.duplicated(keep="first") | ctx.seen(key.tolist())
    ctx.remember(key[~repeated].tolist())
    return key.where(repeated, None).astype("object")


def mark_from_scale(score: pd.Series, b3: pd.Series, b4: pd.Series, b5: pd.Series) -> pd.Series:
    s, b3, b4, b5 = (pd.to_numeric(x, errors="coerce").astype("float64").to_numpy() for x in (score, b3, b4, b5))
    with np.errstate(invalid="ignore"):
        mark = np.where(s >= b5, 5, np.where(s >= b4, 4, np.where(s >= b3, 3, 2))).astype("float64")
    mark[np.isnan(s) | np.isnan(b3)] = np.nan
    return pd.Series(mark, index=score.index)


HEADERS_SEPARATOR = " ‖ "  # between headers in a derived column (meta.headers_in_value); not in headers


def failing_headers(masks: list[tuple[str, np.ndarray]], index: pd.Index) -> pd.Series:
    """Per row, the headers whose mask is set, joined by HEADERS_SEPARATOR; None where none is."""
    out = np.full(len(index), None, dtype=object)
    if masks:
        rows = np.flatnonzero(np.logical_or.reduce([m for _, m in masks]))
        out[rows] = [HEADERS_SEPARATOR.join(h for h, m in masks if m[r]) for r in rows]
    return pd.Series(out, index=index, dtype=object)
