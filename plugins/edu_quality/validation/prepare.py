"""From raw text rows to the frame that Great Expectations validates.

Each contract column becomes a typed column under its warehouse name; a cell that is filled but does
not parse leaves its text in `<name>__bad` (the suites expect that column to be empty). Cross-field
rules are expressed as derived columns (`_tasks_sum`, `_scale_mark`, `_repeat`, …) that the suites
compare, so every rule lives in a reviewed JSON suite and the evidence stays in Great Expectations'
results and Data Docs.
"""
from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from edu_quality.sources import cells
from edu_quality.sources import headers as hdr
from edu_quality.sources.contract import GIA_FORMS, Source
from edu_quality.sources.files import FileShape
from edu_quality.sources.contract import REFERENCES

log = logging.getLogger(__name__)
_LEADING_INT = re.compile(r"^\s*(\d+)")


@dataclass
class Context:
    """What a file is validated against: the year and the references already in the warehouse."""
    year: int
    school_codes: list[str] = field(default_factory=list)
    vpr_scales: pd.DataFrame | None = None  # subject, grade, max_score, min_score_3/4/5
    gia_thresholds: pd.DataFrame | None = None  # exam_form, subject, min_score_3/4/5
    today: date = field(default_factory=date.today)
    seen_keys: set = field(default_factory=set)       # digests of keys seen (see remember / seen)
    first_names: dict = field(default_factory=dict)   # municipality code → first name seen
    _known: frozenset | None = None

    def remember(self, keys: list[str]) -> None:
        """Keys of rows already accepted (earlier chunks, other files): duplicates of them are repeats."""
        self.seen_keys.update(map(key_digest, keys))

    def seen(self, keys: list) -> np.ndarray:
        """Per key, whether it was remembered (missing keys never were)."""
        got = self.seen_keys
        return np.fromiter((isinstance(k, str) and key_digest(k) in got for k in keys), dtype=bool, count=len(keys))

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
        out = {int(n): dict(zip(self.names, row)) for n, row in zip(numbers, values)}
        if self.code_header in self.names and self.codes is not None:
            from edu_quality.sources.privacy import keyed_hash

            for n, h in zip(numbers, keyed_hash(self.codes[picked]).fillna("").tolist()):
                out[int(n)][self.code_header] = h
        return out


def prepare(chunk: pd.DataFrame, shape: FileShape, source: Source, ctx: Context) -> Prepared:
    positions = hdr.match_columns(shape.headers, source)
    personal = [i for i, h in enumerate(shape.headers) if hdr.is_personal_data(h)]
    dropped = [shape.headers[i] for i in personal]
    keep = [i for i, h in enumerate(shape.headers) if i not in personal and str(h).strip()]
    frame = pd.DataFrame({"_row": chunk["_row"].to_numpy()}, index=chunk.index)
    headers: dict[str, str] = {}
    for i, name in positions.items():
        column = source.column(name)
        values, bad = cells.parse(column.kind, chunk[f"c{i}"])
        frame[name] = values
        if column.kind != "text":
            frame[f"{name}__bad"] = chunk[f"c{i}"].where(bad)
        headers[name] = shape.headers[i]
    for column in source.columns:  # optional headers absent from the file: empty columns
        if column.name not in frame:
            frame[column.name] = pd.Series(pd.NA, index=frame.index, dtype="object")
            if column.kind != "text":
                frame[f"{column.name}__bad"] = pd.Series(pd.NA, index=frame.index, dtype="string")
            headers[column.name] = column.header
    frame["_extra"] = chunk["_extra"]
    prepared = Prepared(frame, headers, dropped, [])
    special = _SPECIAL.get(source.name)
    if special:
        special(chunk, shape, prepared, ctx)
    else:
        from edu_quality.sources.registry import described

        d = described(source.name)
        if d is not None and d.unique:
            frame["_repeat"] = _repeat(frame, list(d.unique), ctx)
    if "_unknown_school" not in frame and "schools" in REFERENCES.get(source.name, ()):
        frame["_unknown_school"] = unknown_codes(frame["school_code"], ctx)
    # The raw copy kept for quarantine must not carry the participant code in clear either.
    codes = frame["participant_code"] if "participant_code" in frame else None
    prepared.raw = RawCells(chunk, [shape.headers[i] for i in keep], [f"c{i}" for i in keep],
                            headers.get("participant_code") if codes is not None else None, codes)
    return prepared


def unknown_codes(codes: pd.Series, ctx: Context) -> pd.Series:
    """The school codes not in the year's schools reference (None for known or empty ones). Compared here,
    not by GX's in-set rule: GX copies a rule's 40,000-code parameter every time it reads the rule."""
    known = ctx.known_codes()
    values = codes.astype(object).tolist()
    unknown = [v if v is not None and v is not pd.NA and v == v and v not in known else None for v in values]
    return pd.Series(unknown, index=codes.index, dtype=object)


def _repeat(frame: pd.DataFrame, keys: list[str], ctx: Context) -> pd.Series:
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


def _schools(chunk, shape, p: Prepared, ctx: Context) -> None:
    f = p.frame
    f["_repeat"] = _repeat(f, ["school_code"], ctx)
    conflicts = []
    for code, name in zip(f["municipality_code"].tolist(), f["municipality_name"].tolist()):
        if code is pd.NA or code is None or name is pd.NA or name is None:
            conflicts.append(None)
            continue
        first = ctx.first_names.setdefault(code, name)
        conflicts.append(None if first == name else f"{code}: {first} / {name}")
    f["_mo_name_conflict"] = pd.Series(conflicts, index=f.index, dtype="object")
    appointed = pd.to_datetime(f["head_appointed_on"])
    future = appointed > pd.Timestamp(ctx.today)
    f["_head_date_future"] = f["head_appointed_on"].astype("string").where(future.fillna(False))


def _vpr_scales(chunk, shape, p: Prepared, ctx: Context) -> None:
    f = p.frame
    f["_repeat"] = _repeat(f, ["year", "subject", "grade"], ctx)
    order = (f["min_score_3"] < f["min_score_4"]) & (f["min_score_4"] < f["min_score_5"]) \
        & (f["min_score_5"] <= f["max_score"]) & (f["min_score_3"] > 0)
    f["_bounds_order"] = f["min_score_3"].astype("string").where(~order.fillna(True))
    f["_year_mismatch"] = f["year"].astype("string").where((f["year"] != ctx.year).fillna(False))


def _mark_from_scale(score: pd.Series, b3: pd.Series, b4: pd.Series, b5: pd.Series) -> pd.Series:
    s, b3, b4, b5 = (pd.to_numeric(x, errors="coerce").astype("float64").to_numpy() for x in (score, b3, b4, b5))
    with np.errstate(invalid="ignore"):
        mark = np.where(s >= b5, 5, np.where(s >= b4, 4, np.where(s >= b3, 3, 2))).astype("float64")
    mark[np.isnan(s) | np.isnan(b3)] = np.nan
    return pd.Series(mark, index=score.index)


def _vpr(chunk, shape, p: Prepared, ctx: Context) -> None:
    f = p.frame
    tasks: list[tuple[str, str, int]] = []
    sums = pd.Series(0.0, index=f.index)
    bad_masks: list[tuple[str, np.ndarray]] = []
    range_masks: list[tuple[str, np.ndarray]] = []
    for i, h in enumerate(shape.headers):
        parsed = hdr.task_header(h)
        if parsed is None:
            continue
        task_id, max_score = parsed
        column = f"task_{len(tasks)}"
        values, bad = cells.parse_task_score_distinct(chunk[f"c{i}"])
        f[column] = values
        numbers = values.astype("float64")
        sums = sums + numbers
        bad_masks.append((h, bad.to_numpy(dtype=bool, na_value=False)))
        with np.errstate(invalid="ignore"):
            range_masks.append((h, ((numbers < 0) | (numbers > max_score)).to_numpy(dtype=bool, na_value=False)))
        tasks.append((column, task_id, max_score))
        p.headers[column] = h
    p.task_columns = tasks
    f["_tasks_sum"] = sums if tasks else np.nan
    # Each file has its own task columns; two derived columns name the failing headers, so one reviewed
    # suite serves every ВПР file (two expectations, not two per task: GX's cost is per expectation).
    f["_task_bad_type"] = failing_headers(bad_masks, f.index)
    f["_task_out_of_range"] = failing_headers(range_masks, f.index)
    f["_class_grade"] = pd.to_numeric(
        f["class_label"].astype("string").str.extract(_LEADING_INT)[0], errors="coerce")
    scales = ctx.vpr_scales if ctx.vpr_scales is not None else pd.DataFrame(
        columns=["subject", "grade", "max_score", "min_score_3", "min_score_4", "min_score_5"])
    keys = pd.DataFrame({"subject": f["subject"].astype("object"),
                         "grade": f["grade"].astype("float64")})
    sc = scales.assign(grade=scales["grade"].astype("float64"), subject=scales["subject"].astype("object"))
    joined = keys.merge(sc, on=["subject", "grade"], how="left")
    joined.index = f.index
    f["_scale_max"] = joined["max_score"].astype("float64")
    f["_scale_mark"] = _mark_from_scale(f["primary_score"], joined["min_score_3"], joined["min_score_4"],
                                        joined["min_score_5"])
    no_scale = joined["max_score"].isna() & f["subject"].notna() & f["grade"].notna()
    f["_no_scale"] = (f["subject"].astype("string") + " " + f["grade"].astype("string")).where(no_scale)
    f["_repeat"] = _repeat(f, ["school_code", "subject", "grade", "participant_code"], ctx)


HEADERS_SEPARATOR = " ‖ "  # between headers in a derived column (meta.headers_in_value); not in headers


def failing_headers(masks: list[tuple[str, np.ndarray]], index: pd.Index) -> pd.Series:
    """Per row, the headers whose mask is set, joined by HEADERS_SEPARATOR; None where none is."""
    out = np.full(len(index), None, dtype=object)
    if masks:
        rows = np.flatnonzero(np.logical_or.reduce([m for _, m in masks]))
        out[rows] = [HEADERS_SEPARATOR.join(h for h, m in masks if m[r]) for r in rows]
    return pd.Series(out, index=index, dtype=object)


_SPECIAL = {"schools": _schools, "vpr_scales": _vpr_scales, "vpr": _vpr}


# --- ГИА -------------------------------------------------------------------------------------------

def _gia_thresholds(chunk, shape, p: Prepared, ctx: Context) -> None:
    f = p.frame
    f["_repeat"] = _repeat(f, ["year", "exam_form", "subject"], ctx)
    f["_year_mismatch"] = f["year"].astype("string").where((f["year"] != ctx.year).fillna(False))
    ege_test = (f["exam_form"] == "ЕГЭ") & (f["subject"] != "Математика базовая")
    has_bounds = f["min_score_3"].notna() & f["min_score_4"].notna() & f["min_score_5"].notna()
    order = (f["min_score_3"] < f["min_score_4"]) & (f["min_score_4"] < f["min_score_5"])
    f["_bounds_order"] = f["min_score_3"].astype("string").where((has_bounds & ~order).fillna(False))
    f["_min_test_missing"] = f["subject"].where((ege_test & f["min_test_score"].isna()).fillna(False))
    f["_bounds_missing"] = f["subject"].where((~ege_test & ~has_bounds).fillna(False))


def _gia(chunk, shape, p: Prepared, ctx: Context) -> None:
    f = p.frame
    form, subject = f["exam_form"].astype("string"), f["subject"].astype("string")
    # ЕГЭ gives a test score (0–100), except «Математика базовая», which, like ОГЭ and ГВЭ, gives a mark.
    scored = ((form == "ЕГЭ") & (subject != "Математика базовая")).fillna(False)
    marked = (form.isin(["ОГЭ", "ГВЭ"]) | ((form == "ЕГЭ") & (subject == "Математика базовая"))).fillna(False)
    f["_test_score_unexpected"] = f["test_score"].astype("string").where(
        ~scored & form.isin(GIA_FORMS).fillna(False) & f["test_score"].notna())
    f["_test_score_missing"] = subject.where(scored & f["test_score"].isna() & f["test_score__bad"].isna())
    known_form = form.isin(GIA_FORMS).fillna(False)  # an unknown form is its own error, not this one
    f["_mark_unexpected"] = f["mark"].astype("string").where(~marked & known_form & f["mark"].notna())
    f["_mark_missing"] = subject.where(marked & f["mark"].isna() & f["mark__bad"].isna())
    start, end = pd.Timestamp(ctx.year - 1, 9, 1), pd.Timestamp(ctx.year, 9, 30)
    outside = (f["exam_date"] < start) | (f["exam_date"] > end)
    f["_date_out_of_window"] = f["exam_date"].dt.strftime("%d.%m.%Y").where(outside.fillna(False))
    thresholds = ctx.gia_thresholds if ctx.gia_thresholds is not None else pd.DataFrame(
        columns=["exam_form", "subject", "min_score_3", "min_score_4", "min_score_5"])
    keys = pd.DataFrame({"exam_form": form.astype("object"), "subject": subject.astype("object")})
    joined = keys.merge(thresholds, on=["exam_form", "subject"], how="left")
    joined.index = f.index
    bounds = joined[["min_score_3", "min_score_4", "min_score_5"]].astype("float64")
    expected = _mark_from_scale(f["primary_score"], bounds["min_score_3"], bounds["min_score_4"],
                                bounds["min_score_5"])
    f["_threshold_mark"] = expected.where(marked)
    f["_repeat"] = _repeat(f, ["exam_form", "subject", "exam_date", "participant_code"], ctx)


# --- Staff, olympiads, measures ---------------------------------------------------------------------

def _teachers(chunk, shape, p: Prepared, ctx: Context) -> None:
    f = p.frame
    f["_repeat"] = _repeat(f, ["school_code", "teacher_code"], ctx)
    older = (f["experience_years"] > f["age_years"] - 14)
    f["_experience_vs_age"] = f["experience_years"].astype("string").where(older.fillna(False))


def _olympiads(chunk, shape, p: Prepared, ctx: Context) -> None:
    f = p.frame
    f["_repeat"] = _repeat(f, ["year", "stage", "subject", "participant_code"], ctx)
    f["_year_mismatch"] = f["year"].astype("string").where((f["year"] != ctx.year).fillna(False))


def _measures(chunk, shape, p: Prepared, ctx: Context) -> None:
    f = p.frame
    # Measures of year Y answer recommendations of Y−1: either year may be written.
    f["_year_mismatch"] = f["year"].astype("string").where(~f["year"].isin([ctx.year - 1, ctx.year]).fillna(True)
                                                           & f["year"].notna())
    school = (f["level"] == "ОО").fillna(False)
    f["_unknown_school"] = unknown_codes(f["unit_code"], ctx).where(school, None)


# --- Самообследование --------------------------------------------------------------------------------

# Which count a stated share is a share of: pupils (1.1) or teaching staff (1.24). Shares of
# graduates (1.10–1.17) have no base in the form and are not cross-checked.
SHARE_BASES = {**{f"1.{i}": "1.1" for i in (5, 18, 19, 20, 21, 22, 23)},
               **{c: "1.1" for c in ("1.19.1", "1.19.2", "1.19.3", "2.5")},
               **{f"1.{i}": "1.24" for i in range(25, 35)},
               **{c: "1.24" for c in ("1.29.1", "1.29.2", "1.30.1", "1.30.2")}}
SHARE_TOLERANCE_PP = 1.5  # percentage points: rounding in the form plus a counted-on-another-date margin


def _self_evaluation(chunk, shape, p: Prepared, ctx: Context) -> None:
    f = p.frame
    submitted = pd.to_datetime(f["submitted_at"].astype("string").str.strip(), format="mixed",
                               dayfirst=True, errors="coerce")
    f["_submitted"] = submitted
    f["_submitted__bad"] = f["submitted_at"].where(submitted.isna() & f["submitted_at"].notna())
    # The latest submission of a school wins; earlier ones are accounted for as superseded.
    order = pd.DataFrame({"school": f["school_code"].astype("object"), "at": submitted, "row": f["_row"]})
    latest = order.sort_values(["at", "row"]).groupby("school", dropna=True).tail(1)["row"]
    f["_superseded"] = f["school_code"].astype("string").where(
        ~f["_row"].isin(latest) & f["school_code"].notna())
    # A school whose self-evaluation another file of the year already brought: a repeat, not an update.
    f["_repeat"] = f["school_code"].astype("string").where(ctx.seen(f["school_code"].astype(object).tolist()))
    items: list[tuple[str, str, str]] = []  # (column, indicator code, header)
    for i, h in enumerate(shape.headers):
        code = hdr.self_evaluation_code(h)
        if code is None or any(code == c for _, c, _ in items):
            continue  # not an indicator, or a repeated number (the first column of it counts)
        column = f"ind_{len(items)}"
        raw = chunk[f"c{i}"]
        count, share, bad = cells.parse_count_share_distinct(raw)
        flag, bad_flag = cells.parse_bool(raw)
        is_flag = flag.notna()
        f[f"{column}__text"] = cells.parse_text(raw)[0]
        f[f"{column}__count"] = count.where(~is_flag)
        f[f"{column}__share"] = share.where(~is_flag)
        f[f"{column}__flag"] = flag
        f[f"{column}__bad"] = raw.where(bad & ~is_flag)
        items.append((column, code, h))
        p.headers[column] = h
        p.extra_expectations.append(
            {"type": "expect_column_values_to_be_null", "kwargs": {"column": f"{column}__bad"},
             "meta": {"rule": "bad_type", "column": h}})
        if share.notna().any():
            p.extra_expectations.append(
                {"type": "expect_column_values_to_be_between",
                 "kwargs": {"column": f"{column}__share", "min_value": 0, "max_value": 100},
                 "meta": {"rule": "out_of_range", "column": h}})
    p.task_columns = items  # reused by the loader: the indicator columns of this file
    by_code = {code: column for column, code, _ in items}
    for column, code, h in items:
        base = SHARE_BASES.get(code)
        if base is None or base not in by_code:
            continue
        total = f[f"{by_code[base]}__count"].astype("float64")
        stated = f[f"{column}__share"].astype("float64")
        computed = f[f"{column}__count"].astype("float64") / total.where(total > 0) * 100
        f[f"{column}__share_gap"] = (stated - computed).abs()
        p.extra_expectations.append(
            {"type": "expect_column_values_to_be_between",
             "kwargs": {"column": f"{column}__share_gap", "min_value": 0, "max_value": SHARE_TOLERANCE_PP},
             "meta": {"rule": "share_count_mismatch", "column": h}})


_SPECIAL.update({"gia_thresholds": _gia_thresholds, "gia": _gia, "teachers": _teachers,
                 "olympiads": _olympiads, "measures": _measures, "self_evaluation": _self_evaluation})
