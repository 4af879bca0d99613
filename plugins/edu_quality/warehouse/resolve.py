"""Schools of the year from described sources: the `monitoring:` block of include/sources/<name>.yaml says which
column names the school, which is its municipality, and the stated key. Each loaded row of such a source is
resolved to a school of the year and recorded in core.source_school (read as mart.school_match) with its
status and reason; indicator queries join a described source's table to it for the row's school.

Where the year has no schools.* reference, the source marked `schools_of_year` gives the year's schools and
municipalities (a row with a sound key is the school with that key as its code). Every other mapped source —
and every mapped source of a year that has schools.* — is resolved to those schools by the normalised name and
number: the same kind of organisation (school, college, institute) with the same number, in the same
municipality when several share it; without a number, the same normalised name.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from edu_quality.sources.description import Monitoring, SourceDescription, descriptions

log = logging.getLogger(__name__)

_QUOTES = re.compile(r"[«»\"“”„']")
_NUMBER = re.compile(r"(?:№|\bN)\s*(\d+)")   # a Latin N is written for № too (ГБОУ ШКОЛА N 1430)
KIND_RU = {"school": "школа", "college": "колледж (профессиональная ОО со школьным отделением)",
           "higher": "вуз (образовательная организация высшего образования со школьным отделением)"}


def normalised(name: str, drop: tuple[str, ...] = ()) -> str:
    """Lower case, `ё` as `е`, the description's `name_drop` patterns and quotes removed, `№` and its number
    written `№N`, punctuation as spaces, spaces collapsed."""
    s = name.lower().replace("ё", "е")
    for pattern in drop:
        s = re.sub(pattern, " ", s)
    s = _QUOTES.sub(" ", s)
    s = re.sub(r"№\s*", "№", s)
    s = re.sub(r"[.,;:()\-–—]", " ", s)
    return " ".join(s.split())


def number_of(name: str) -> str | None:
    m = _NUMBER.search(name)
    return m[1].lstrip("0") or "0" if m else None


def kind_of(name: str, m: Monitoring) -> tuple[str, str]:
    """(kind, school type) by the description's first matching rule; a school of unstated type otherwise."""
    for rule in m.kinds:
        if re.search(rule.pattern, name, flags=re.IGNORECASE):
            return rule.kind, rule.school_type
    return "school", "СОШ"


def match_key(name: str, m: Monitoring) -> tuple[str, str]:
    """The name-and-number key: the kind of organisation with its number, or with its normalised name."""
    kind, _ = kind_of(name, m)
    number = number_of(name)
    return kind, (f"№{number}" if number else normalised(name, m.name_drop))


def municipality_code(name: str, m: Monitoring) -> str:
    """The description's code for the municipality, else the initials of its words (`Северный
    административный округ` → `САО`)."""
    if name in m.municipality_codes:
        return m.municipality_codes[name]
    return "".join(w[0] for w in re.split(r"[\s-]+", name) if w).upper()[:16]


@dataclass(frozen=True)
class School:
    code: str
    name: str
    municipality_code: str
    kind: str


def _rows(conn: Connection, d: SourceDescription, year: int) -> list:
    m = d.monitoring
    key = f"s.{m.school_key}::text" if m.school_key else "null::text"
    return conn.execute(text(
        f"select s.load_id, s.row_number, s.{m.school_name}::text as name, {key} as key, "
        f"s.{m.municipality}::text as municipality from {d.table} s "
        "join core.load_log l on l.load_id = s.load_id and l.status = 'loaded' "
        "where s.year = :y order by s.load_id, s.row_number"), {"y": year}).all()


def _has_rows(conn: Connection, table: str, year: int) -> bool:
    """The described source's table exists (its first load creates it) and holds rows of the year."""
    # pg_tables, not to_regclass: a role without USAGE on schema ext (the writer) may ask whether the table is there.
    if not conn.execute(text("select exists (select from pg_catalog.pg_tables where schemaname = "
                             "split_part(:t, '.', 1) and tablename = split_part(:t, '.', 2))"),
                        {"t": table}).scalar_one():
        return False
    return conn.execute(text(f"select exists (select from {table} where year = :y)"), {"y": year}).scalar_one()


def _record(conn: Connection, year: int, source: str, row, code, status: str, rule: str, kind: str,
            municipality: str | None, reason: str) -> None:
    conn.execute(text(
        "insert into core.source_school (year, source, load_id, row_number, source_name, school_code, status, "
        "rule, institution_kind, municipality_code, reason_ru) values (:y, :s, :l, :r, :n, :c, :st, :rule, :k, "
        ":m, :why)"), {"y": year, "s": source, "l": row.load_id, "r": row.row_number, "n": row.name, "c": code,
                       "st": status, "rule": rule, "k": kind, "m": municipality, "why": reason})


def register_schools(conn: Connection, year: int, d: SourceDescription) -> list[School]:
    """The year's schools and municipalities from the rows of a `schools_of_year` source: each row with a
    sound key is a school whose code is that key; a row without one (or repeating one) is not a school."""
    m, schools, seen_mo = d.monitoring, [], set()
    for row in _rows(conn, d, year):
        kind, school_type = kind_of(row.name, m)
        mo = municipality_code(row.municipality, m)
        key = (row.key or "").strip()
        if not re.match(m.key_pattern, key) or key in {s.code for s in schools}:
            header = d.column_spec(m.school_key).header if m.school_key else "ключ"
            why = f"{header} {key} повторяется" if key and re.match(m.key_pattern, key) else f"нет ключа {header}"
            _record(conn, year, d.name, row, None, "unmatched", "key", kind, mo, f"{why}: строка не стала школой")
            continue
        if mo not in seen_mo:
            conn.execute(text("insert into core.municipality (year, municipality_code, municipality_name, load_id) "
                              "values (:y, :c, :n, :l)"), {"y": year, "c": mo, "n": row.municipality, "l": row.load_id})
            seen_mo.add(mo)
        conn.execute(text(
            "insert into core.school (year, school_code, school_name, municipality_code, school_type, locality, "
            "students, load_id, row_number) values (:y, :c, :n, :m, :t, :loc, null, :l, :r)"),
            {"y": year, "c": key, "n": row.name, "m": mo, "t": school_type, "loc": m.locality or "городская",
             "l": row.load_id, "r": row.row_number})
        _record(conn, year, d.name, row, key, "key", "key", kind, mo,
                f"{d.column_spec(m.school_key).header} {key}: школа года — {KIND_RU[kind]}")
        schools.append(School(key, row.name, mo, kind))
    return schools


def _reason(kind: str, key: tuple[str, str], candidates: list[School], status: str, mo: str) -> str:
    what = f"{KIND_RU[kind]} {key[1]}" if key[1].startswith("№") else f"{KIND_RU[kind]} «{key[1]}»"
    shown = "; ".join(f"{c.code} «{c.name}» ({c.municipality_code})" for c in candidates[:5])
    if status == "matched":
        return f"{what} в МО {mo}: {shown}"
    if status == "ambiguous":
        return f"{what}: в МО {mo} подходят {len(candidates)} школы года: {shown}"
    if candidates:
        return f"{what}: такая школа года есть только в другом МО, не {mo}: {shown}"
    return f"{what}: среди школ года такой нет" + ("" if kind == "school" else
                                                   " (в реестре школ колледжей и вузов может не быть)")


def resolve_rows(conn: Connection, year: int, d: SourceDescription, schools: list[School]) -> None:
    """Each row of a mapped source to one school of the year by the normalised name and number."""
    m, index = d.monitoring, {}
    for s in schools:
        index.setdefault(match_key(s.name, m), []).append(s)
    for row in _rows(conn, d, year):
        kind, _ = kind_of(row.name, m)
        mo = municipality_code(row.municipality, m) if row.municipality else None
        key = match_key(row.name, m)
        found = index.get(key, [])
        candidates = [c for c in found if c.municipality_code == mo] if mo else found
        status = {0: "unmatched", 1: "matched"}.get(len(candidates), "ambiguous")
        _record(conn, year, d.name, row, candidates[0].code if status == "matched" else None, status,
                "name_and_number", kind, mo, _reason(kind, key, candidates or found, status, mo))


def _contract_schools(conn: Connection, year: int, d: SourceDescription | None) -> list[School]:
    rows = conn.execute(text("select school_code, school_name, municipality_code from core.school where year = :y"),
                        {"y": year}).all()
    m = d.monitoring if d else None
    return [School(r.school_code, r.school_name, r.municipality_code, kind_of(r.school_name, m)[0] if m else "school")
            for r in rows]


def resolve_year(engine: Engine, year: int) -> dict:
    """Rebuild the year's schools of described sources and core.source_school; counts per source and status."""
    mapped = [d for d in descriptions().values() if d.monitoring is not None]
    with engine.begin() as conn:
        conn.execute(text("delete from core.source_school where year = :y"), {"y": year})
        mapped = [d for d in mapped if _has_rows(conn, d.table, year)]
        loads = [r[0] for r in conn.execute(text(
            "select load_id from core.load_log where year = :y and source = any(:s)"),
            {"y": year, "s": [d.name for d in mapped]})]
        conn.execute(text("delete from core.school where year = :y and load_id = any(:l)"), {"y": year, "l": loads})
        conn.execute(text("delete from core.municipality where year = :y and load_id = any(:l)"),
                     {"y": year, "l": loads})
        has_contract = conn.execute(text("select exists (select from core.school where year = :y)"),
                                    {"y": year}).scalar_one()
        register = None if has_contract else next((d for d in mapped if d.monitoring.schools_of_year), None)
        schools = register_schools(conn, year, register) if register else _contract_schools(conn, year, None)
        for d in mapped:
            if d is not register:
                resolve_rows(conn, year, d, schools)
        counts = {f"{r.source}: {r.status}": r.n for r in conn.execute(text(
            "select source, status, count(*) as n from core.source_school where year = :y group by 1, 2 order by 1, 2"),
            {"y": year})}
    if counts:
        log.info("сопоставление школ за %s: %s", year, counts)
    return counts
