"""Cell parsers, vectorised over pandas Series of raw strings.

Each parser returns the parsed values and a boolean mask of cells that were filled but could not be
parsed, so a validator can say which cell of which row is wrong instead of silently turning it into
an empty value.
"""
from __future__ import annotations

import re

import pandas as pd

from edu_quality.sources.contract import NOT_ATTEMPTED

# Spaces used as thousands separators, including non-breaking and thin spaces.
_THOUSANDS = re.compile(r"(?<=[0-9])[\s\u00a0\u202f\u2009]+(?=[0-9]{3}(?:[^0-9]|$))")
_UNITS = re.compile(r"(человек[а]?|чел\.?|единиц[аы]?|ед\.?|шт\.?|кв\.?\s*м\.?|м2|%)", re.IGNORECASE)
# ASCII digits only: `\d` also matches other scripts' digits, which the numeric conversion then
# cannot read (a cell would be silently emptied instead of flagged).
_NUMBER = re.compile(r"^[+-]?[0-9]+(?:\.[0-9]+)?$")
_INTEGER = re.compile(r"^[+-]?[0-9]+(?:\.0+)?$")
_COUNT_SHARE = re.compile(
    r"^\s*(?P<count>[0-9\s\u00a0\u202f,.]+?)\s*(?:человек[а]?|чел\.?)?\s*/\s*"
    r"(?P<share>[0-9\s\u00a0\u202f,.]+?)\s*%?\s*$", re.IGNORECASE)
_YES = {"да", "yes", "true", "1", "+", "есть", "имеется"}
_NO = {"нет", "no", "false", "0", "-", "отсутствует"}


def blank(raw: pd.Series) -> pd.Series:
    return raw.isna() | (raw.astype("string").str.strip().fillna("") == "")


def _clean_number_text(raw: pd.Series) -> pd.Series:
    s = raw.astype("string").str.strip()
    s = s.str.replace(_THOUSANDS, "", regex=True)
    s = s.str.replace(_UNITS, "", regex=True).str.strip()
    s = s.str.replace(",", ".", regex=False).str.replace(r"\s+", "", regex=True)
    return s


def parse_number(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    empty = blank(raw)
    s = _clean_number_text(raw)
    ok = s.str.fullmatch(_NUMBER).fillna(False).astype(bool)
    values = pd.to_numeric(s.where(ok), errors="coerce").astype("Float64")
    return values, (~empty & ~ok)


def parse_int(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    empty = blank(raw)
    plain = raw.astype("string").str.fullmatch(r"[0-9]{1,15}").fillna(False).astype(bool)
    if plain.all():  # the common case, without the cleaning regexes
        return pd.to_numeric(raw.astype("string")).astype("Int64"), pd.Series(False, index=raw.index)
    s = _clean_number_text(raw)
    ok = s.str.fullmatch(_INTEGER).fillna(False).astype(bool)
    numbers = pd.to_numeric(s.where(ok), errors="coerce")
    # Integers beyond int64 are not results anyone reports: treat as unparseable, not as overflow.
    too_big = numbers.abs() > 2**62
    ok &= ~too_big.fillna(False)
    values = numbers.where(ok).astype("Float64").round().astype("Int64")
    return values, (~empty & ~ok)


def parse_task_score(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """A ВПР task cell: an integer, or `X`/`Н` for not attempted (counts as 0)."""
    s = raw.astype("string").str.strip().str.upper()
    not_attempted = s.isin([v.upper() for v in NOT_ATTEMPTED]).fillna(False).astype(bool)
    values, bad = parse_int(raw.where(~not_attempted, "0"))
    return values, bad


def parse_date(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """`ДД.ММ.ГГГГ` or `ГГГГ-ММ-ДД` (a time part, as spreadsheets add, is ignored)."""
    empty = blank(raw)
    s = raw.astype("string").str.strip().str.split(" ").str[0]
    dmy = pd.to_datetime(s.where(s.str.contains(".", regex=False)), format="%d.%m.%Y", errors="coerce")
    iso = pd.to_datetime(s.where(s.str.contains("-", regex=False)), format="%Y-%m-%d", errors="coerce")
    values = dmy.fillna(iso)
    return values, (~empty & values.isna())


def parse_bool(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    empty = blank(raw)
    s = raw.astype("string").str.strip().str.lower()
    values = pd.Series(pd.NA, index=raw.index, dtype="boolean")
    values[s.isin(_YES).fillna(False).astype(bool)] = True
    values[s.isin(_NO).fillna(False).astype(bool)] = False
    return values, (~empty & values.isna())


def parse_text(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    s = raw.astype("string").str.strip()
    s = s.str.replace(r"\s+", " ", regex=True)
    return s.where(s != ""), pd.Series(False, index=raw.index)


def parse_count_share(raw: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Self-evaluation cells: `125 человек / 34,5 %`, `125/34.5%`, `34,5`, `412`, `0,12 единиц`.

    Returns (count, share, unparseable): a lone number goes to `count` (the caller decides from the
    indicator what a lone number means).
    """
    s = raw.astype("string").str.strip()
    parts = s.str.extract(_COUNT_SHARE)
    count_pair, bad_c = parse_number(parts["count"])
    share_pair, bad_s = parse_number(parts["share"])
    has_pair = parts["count"].notna() & parts["share"].notna()
    lone, bad_lone = parse_number(s.where(~has_pair))
    count = count_pair.where(has_pair, lone)
    share = share_pair.where(has_pair)
    bad = (has_pair & (bad_c | bad_s)) | (~has_pair & bad_lone)
    return count, share, bad.fillna(False).astype(bool)


def by_distinct(parser):
    """Run a parser once per distinct cell text and spread the results back over the rows.

    Result columns repeat a handful of texts (task scores, marks, subjects, school codes), and the
    parsers' string operations cost per element, so this is where reading spends far less time;
    the results are exactly the parser's own."""
    def parse_distinct(raw: pd.Series):
        codes, uniques = pd.factorize(raw.astype("object"), use_na_sentinel=True)
        if len(uniques) * 2 > len(raw):  # mostly distinct (participant codes): nothing to share
            return parser(raw)
        distinct = pd.Series(list(uniques) + [pd.NA], dtype=raw.dtype if raw.dtype != object else "string")
        outputs = parser(distinct)
        taker = codes.copy()
        taker[taker < 0] = len(uniques)  # empty cells read as the appended NA
        single = not isinstance(outputs, tuple)
        spread = tuple(pd.Series(out.array.take(taker), index=raw.index, name=raw.name)
                       for out in ((outputs,) if single else outputs))
        return spread[0] if single else spread
    parse_distinct.__name__ = parser.__name__
    parse_distinct.__doc__ = parser.__doc__
    return parse_distinct


PARSERS = {"int": parse_int, "number": parse_number, "date": parse_date, "bool": parse_bool,
           "text": parse_text}
DISTINCT_PARSERS = {kind: by_distinct(fn) for kind, fn in PARSERS.items()}
parse_task_score_distinct = by_distinct(parse_task_score)
parse_count_share_distinct = by_distinct(parse_count_share)


def parse(kind: str, raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    values, bad = DISTINCT_PARSERS[kind](raw)
    return values, bad.fillna(False).astype(bool)
