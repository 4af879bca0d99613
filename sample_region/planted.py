"""Planted problems and the manifest that tells a test what to expect.

Three kinds of plants:
- school sets with a story in their numbers (inflated ВПР, low results, unfavourable context);
- bad rows, each with exactly one contract violation, located by file, physical row and column;
- superseded self-evaluation submissions (a later submission of the same school wins; not bad rows).
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from edu_quality.sources import contract as c

from .writers import Cell, FileRecord, TableWriter

MANIFEST_NAME = "_manifest.json"
MANIFEST_VERSION = 3  # 3: each bad row says where it must land (`outcome`: quarantine | data_issue)

# Shares of the region that get each story; at least one school each once the region has 10 schools.
BIASED_SHARE = 0.04
UNFAVORABLE_SHARE = 0.05
# Low-result schools are the region's bottom tenth, as the regulation's low-result schools are the bottom
# tail of the region across procedures and years (the analysis's threshold, low_results.percentile in
# include/analysis/settings.yaml, is the methodologist's and may differ). Half of them are ordinary schools
# given a deficit their context does not explain (LOW_RESULT_DEFICIT_SHARE, chosen here); the rest are the
# schools already lowest (often the unfavourable ones) — see region.py.
LOW_RESULT_SHARE = 0.10
LOW_RESULT_DEFICIT_SHARE = 0.05

# The `column` of an extra-cells bad row: it has no header (the pipeline's suites use the same label).
BEYOND_HEADER = "(ячейки за последним столбцом заголовка)"


def normalise_header(text: str) -> str:
    """Header matching as the contract defines it: case, surrounding/doubled spaces, ё/е ignored."""
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip().lower().replace("ё", "е")


def header_index(header: Sequence[str], column: str) -> int:
    wanted = normalise_header(column)
    for i, h in enumerate(header):
        if normalise_header(h) == wanted:
            return i
    raise KeyError(column)


@dataclass(frozen=True)
class Plant:
    """The one problem a bad row carries: which contract rule it breaks and in which column."""
    rule: str
    column: str       # the contract header (the file may spell it differently)
    note: str = ""    # what was done, for a human reading the manifest

    def __post_init__(self) -> None:
        if self.rule not in c.RULE_TEXT_EN:
            raise ValueError(f"unknown rule code {self.rule!r}")


def outcome(source: str, plant: Plant) -> str:
    """Where the pipeline must put the row: `quarantine`, or `data_issue` for a reference row whose key is
    sound (the bad cell loads empty, the row stays) — the contract's "What bad input gets"."""
    from edu_quality.sources.registry import description
    from edu_quality.validation.verdict import WHOLE_ROW_RULES

    d = description(source)
    keys = {d.column_spec(k).header for k in d.keep_row_unless}
    if d.keep_row_unless and plant.column not in keys and plant.rule not in WHOLE_ROW_RULES:
        return "data_issue"
    return "quarantine"


Row = list[Cell]
PlantedRow = tuple[Row, "Plant | None"]


@dataclass
class PlantLog:
    bad_rows: list[dict] = field(default_factory=list)
    superseded: list[dict] = field(default_factory=list)
    personal_data: list[dict] = field(default_factory=list)

    def bad(self, writer: TableWriter, header: Sequence[str], row_number: int, values: Row, plant: Plant) -> None:
        if plant.rule == c.EXTRA_CELLS:
            # As a reader reports it: the filled cells beyond the header, joined.
            extra = (writer.render(v) for v in values[len(header):])
            value = "; ".join(t for t in extra if t.strip())
        else:
            value = writer.render(values[header_index(header, plant.column)])
        self.bad_rows.append({
            "source": writer.record.source,
            "file": writer.record.file,
            "row_number": row_number,
            "column": plant.column,
            "rule": plant.rule,
            "value": value,
            "note": plant.note,
            "outcome": outcome(writer.record.source, plant),
        })

    def personal(self, writer: TableWriter, column: str) -> None:
        self.personal_data.append({"source": writer.record.source, "file": writer.record.file, "column": column})
        writer.note("personal_data")


def insert_after(rows: list[PlantedRow], additions: Sequence[tuple[int, PlantedRow]]) -> None:
    """Insert each addition right after the original row it was derived from (indices refer to `rows`
    before any insertion, so a bad row is never derived from another bad row)."""
    # From the back, so earlier indices stay valid; additions after one row keep their given order.
    for _, (at, entry) in sorted(enumerate(additions), key=lambda e: (e[1][0], e[0]), reverse=True):
        rows.insert(at + 1, entry)


def write_rows(writer: TableWriter, header: Sequence[str], rows: Sequence[PlantedRow], log: PlantLog) -> None:
    """Write rows in order; a planted row's physical row number goes to the log."""
    for values, plant in rows:
        number = writer.row(values)
        if plant is not None:
            log.bad(writer, header, number, values, plant)


@dataclass(frozen=True)
class PlantedSchools:
    biased: tuple[str, ...]
    low_result: tuple[str, ...]
    unfavorable: tuple[str, ...]


def planted_count(n_schools: int, share: float) -> int:
    return max(1 if n_schools >= 10 else 0, int(round(share * n_schools)))


def choose_planted_schools(n_schools: int, rural_candidates: Sequence[str], biased_candidates: Sequence[str],
                           low_candidates: Sequence[str], rng: np.random.Generator) -> PlantedSchools:
    """Disjoint school sets. `rural_candidates`: rural schools with grades 5+ (the unfavourable context
    story); the other two: schools with both ВПР and ОГЭ grades, large enough for the story to show
    through the noise of a few students. `low_result` here are the schools given a deficit; the region
    adds the rest of its bottom tail to them (region.py), which may include unfavourable schools."""
    taken: list[str] = []

    def pick(pool: Sequence[str], k: int) -> tuple[str, ...]:
        free = [code for code in pool if code not in taken]
        k = min(k, len(free))
        if k == 0:
            return ()
        chosen = sorted(free[int(i)] for i in rng.choice(len(free), size=k, replace=False))
        taken.extend(chosen)
        return tuple(chosen)

    unfavorable = pick(rural_candidates or low_candidates, planted_count(n_schools, UNFAVORABLE_SHARE))
    biased = pick(biased_candidates, planted_count(n_schools, BIASED_SHARE))
    low_result = pick(low_candidates, planted_count(n_schools, LOW_RESULT_DEFICIT_SHARE))
    return PlantedSchools(biased=biased, low_result=low_result, unfavorable=unfavorable)


LATENT_NOTE = ("school_latent: each school's latent level on the ability scale the results are simulated from "
               "(ability = base + school_effect + type_effect − context_effect − low_result_penalty; it does not "
               "depend on the year); vpr_boost is added in ВПР only, where the checking is lenient")


def build_manifest(*, year: int, seed: int, parameters: dict, region: dict, files: Sequence[FileRecord],
                   planted: PlantedSchools, log: PlantLog, latent: dict | None = None,
                   weak_heads: Sequence[str] = (), weakest_by_monitoring: Sequence[str] = ()) -> dict:
    return {
        "generator": "sample_region",
        "manifest_version": MANIFEST_VERSION,
        "year": year,
        "seed": seed,
        "parameters": parameters,
        "row_numbering": ("physical row as a spreadsheet shows it: in CSV/TXT the header line is row 1 and "
                          "blank lines count; in XLSX the Excel row number, title rows included"),
        "region": region,
        "files": [f.to_manifest() for f in files],
        "personal_data_columns": log.personal_data,
        "biased_schools": list(planted.biased),
        "low_result_schools": list(planted.low_result),
        "unfavorable_schools": list(planted.unfavorable),
        # heads.*: schools whose head is planted weak (low or no competence assessment, little ДПО, no reserve).
        "weak_heads": list(weak_heads),
        # municipal_monitoring.*: the municipalities the file makes the weakest (empty without the file).
        "weakest_by_monitoring": list(weakest_by_monitoring),
        "school_latent_note": LATENT_NOTE,
        "school_latent": latent or {},
        "bad_rows": log.bad_rows,
        "superseded_self_evaluation": log.superseded,
    }
