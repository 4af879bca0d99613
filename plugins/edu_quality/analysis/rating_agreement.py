"""How the product's ranking of a year's schools on its indicators agrees with an official rating published as
a list `rank,<TAB>short name` (the Moscow rating of schools, dogm.mos.ru/rating): `edu-quality agreement`.

Matching a rated name to a school of the year: the kind of organisation (a college by «ПОУ», «колледж»,
«техникум», «ТК», «КМБ»; a higher-education institution by «ВПО», «ВО», «НИУ», «университет», «МГУ»; otherwise
a school) and the number after «№» must agree, and exactly one school of the year must have them; a name
without a number matches the one school of the year of its kind whose normalised name (without the
organisational-legal form, quotes and punctuation) has every word of the rated name but the leading abbreviation
(ГБОУ, ГАОУ, …) and the words naming a kind («школа», «гимназия», «лицей», «имени», …; an initial matches a word
it begins). Every other rated name is a miss, reported with its reason; a school claimed by two rated names
keeps the higher place.

Agreement on an indicator: the AUC of rated against not-rated schools (the probability that a rated school has
the higher value, ties counting half) over the schools with a value, and Spearman's rank correlation between
the official place (the first place as the highest) and the value among the rated schools that have one.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from scipy import stats
from sqlalchemy import text
from sqlalchemy.engine import Engine

from edu_quality.warehouse.resolve import normalised, number_of

SCHOOL_NAME_DROP = (r"^.*?(города москвы|г\. ?москвы)",)
RATED_NAME_DROP = (r"^\s*\S*оу\b",)   # the leading abbreviation of the organisational-legal form
_COLLEGE = re.compile(r"пОУ\b|колледж|техникум|\bТК\b|\bКМБ\b|\bПК\b|\bМОК\b", re.IGNORECASE)
_HIGHER = re.compile(r"\bВПО\b|\bВО\b|\bНИУ\b|университет|\bМГУ\b|высшего", re.IGNORECASE)
_SCHOOL_COLLEGE = re.compile(r"профессиональн\S* образова|колледж|техникум", re.IGNORECASE)


def rated_kind(name: str) -> str:
    if _HIGHER.search(name):
        return "higher"
    return "college" if _COLLEGE.search(name) else "school"


def school_kind(name: str) -> str:
    if re.search(r"высшего (профессионального )?образования|университет", name, re.IGNORECASE):
        return "higher"
    return "college" if _SCHOOL_COLLEGE.search(name) else "school"


def read_rating(path: Path) -> list[tuple[int, str]]:
    """(place, name) per line `place,<TAB>name`; a quoted name has its doubled quotes undone."""
    out = []
    for line in path.read_text(encoding="utf-8-sig").splitlines():
        if not line.strip():
            continue
        place, _, name = line.partition(",")
        name = name.strip()
        if len(name) > 1 and name.startswith('"') and name.endswith('"'):
            name = name[1:-1].replace('""', '"')
        out.append((int(place), name))
    return out


@dataclass
class Match:
    place: int
    name: str
    school_code: str | None
    reason_ru: str


# Words that name the kind of organisation, not the organisation: not required to be in the school's name.
GENERIC_WORDS = frozenset({"школа", "гимназия", "лицей", "центр", "образовательный", "образования", "имени", "им"})


def words(normalised_name: str) -> frozenset[str]:
    return frozenset(normalised_name.split()) - GENERIC_WORDS


def _has(have: frozenset[str], word: str) -> bool:
    """A word of the rated name is in the school's name; an initial (one letter) starts one of its words."""
    return word in have or (len(word) == 1 and any(h.startswith(word) for h in have))


def _match_one(place: int, name: str, schools: pd.DataFrame) -> Match:
    kind, number = rated_kind(name), number_of(name)
    if number:
        found = schools[(schools["number"] == number) & (schools["kind"] == kind)]
        what = f"вид «{kind}», № {number}"
    else:
        wanted = words(normalised(name, RATED_NAME_DROP))
        found = schools[schools["words"].map(lambda have: bool(wanted) and all(_has(have, w) for w in wanted))]
        found = found[found["kind"] == kind]
        what = f"слова наименования «{' '.join(sorted(wanted))}»"
    if len(found) == 1:
        return Match(place, name, found.index[0], f"{what}: {found.index[0]} «{found['school_name'].iloc[0]}»")
    if found.empty:
        return Match(place, name, None, f"{what}: среди школ года такой нет")
    return Match(place, name, None, f"{what}: подходят {len(found)} школы года")


def match_rating(rating: list[tuple[int, str]], schools: pd.DataFrame) -> list[Match]:
    """Each rated name to at most one school of the year (schools: index school_code, column school_name);
    a school claimed by two rated names keeps the higher place, the other is a miss."""
    schools = schools.assign(kind=schools["school_name"].map(school_kind),
                             number=schools["school_name"].map(number_of),
                             words=schools["school_name"].map(lambda n: words(normalised(n, SCHOOL_NAME_DROP))))
    out, taken = [], {}
    for place, name in sorted(rating):
        m = _match_one(place, name, schools)
        if m.school_code in taken:
            m = Match(place, name, None, f"{m.reason_ru} — уже сопоставлена с местом {taken[m.school_code]}")
        elif m.school_code:
            taken[m.school_code] = place
        out.append(m)
    return out


@dataclass
class Agreement:
    indicator_code: str
    schools_with_value: int
    rated_with_value: int
    auc: float | None
    spearman: float | None
    spearman_p: float | None
    extra: dict = field(default_factory=dict)


def agreement(values: pd.Series, places: pd.Series, code: str) -> Agreement:
    """values: school → indicator value (NaN: none); places: school → official place of the rated ones."""
    values = values.dropna()
    rated = values[values.index.isin(places.index)]
    others = values[~values.index.isin(places.index)]
    auc = None
    if len(rated) and len(others):
        u = stats.mannwhitneyu(rated, others, alternative="two-sided").statistic
        auc = float(u) / (len(rated) * len(others))
    rho = p = None
    if len(rated) >= 3:
        res = stats.spearmanr(-places.reindex(rated.index).astype(float), rated)
        rho, p = float(res.statistic), float(res.pvalue)
    return Agreement(code, len(values), len(rated), auc, rho, p)


def _year_values(engine: Engine, year: int, codes: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    with engine.connect() as conn:
        schools = pd.read_sql(text("select school_code, school_name from core.school where year = :y order by 1"),
                              conn, params={"y": year}).set_index("school_code")
        values = pd.read_sql(text(
            "select unit_code as school_code, indicator_code, value::float as value from core.indicator_value "
            "where year = :y and level = 'school' and indicator_code = any(:c)"), conn, params={"y": year, "c": codes})
    return schools, values.pivot(index="school_code", columns="indicator_code", values="value")


def rating_agreement(engine: Engine, year: int, rating_path: Path, codes: list[str]) -> dict:
    """The match of the rating to the year's schools and the agreement on each indicator, as a JSON-able dict."""
    schools, values = _year_values(engine, year, codes)
    if schools.empty:
        raise ValueError(f"в хранилище нет школ {year} года: сначала выполните edu-quality run --year {year}")
    matches = match_rating(read_rating(rating_path), schools)
    places = pd.Series({m.school_code: m.place for m in matches if m.school_code}, dtype=float)
    results = [agreement(values[c] if c in values else pd.Series(dtype=float), places, c) for c in codes]
    return {
        "year": year, "rating_file": rating_path.name, "schools": len(schools), "rated": len(matches),
        "matched": int(len(places)), "misses": [m.__dict__ for m in matches if not m.school_code],
        "matches": [m.__dict__ for m in matches if m.school_code],
        "agreement": [{k: (round(v, 4) if isinstance(v, float) else v) for k, v in a.__dict__.items() if k != "extra"}
                      for a in results],
    }


def write_record(result: dict, path: Path) -> Path:
    """The figures the methodology page states (docs/rating_agreement.json), without the per-school lists."""
    shown = {k: v for k, v in result.items() if k != "matches"}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(shown, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path
