"""The benchmark inbox (`edu-quality sample --scale`): consistent with the contract, deterministic, and
the recorded benchmark page is what its results give."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from sample_region.scale import MANIFEST_NAME, generate_scaled
from sample_region.vpr import VPR_TESTS

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("scale")
    generate_scaled(2025, out, scale="small", seed=11, progress=lambda line: None)
    return out / "2025"


def _rows(path: Path, encoding: str = "utf-8-sig") -> list[list[str]]:
    with path.open(encoding=encoding, newline="") as f:
        return list(csv.reader(f, delimiter=";"))


def test_manifest_counts_every_row(small):
    manifest = json.loads((small / MANIFEST_NAME).read_text(encoding="utf-8"))
    for record in manifest["files"]:
        path = next(small.rglob(record["file"]))
        encoding = "cp1251" if path.name.startswith("oge") else "utf-8-sig"
        assert len(_rows(path, encoding)) - 1 == record["rows"], path.name
    assert manifest["rows"] == sum(f["rows"] for f in manifest["files"]) > 40_000


def test_vpr_rows_follow_the_contract_except_a_few_planted_bad_ones(small):
    test = VPR_TESTS[0]
    path = next((small / "vpr").glob(f"vpr_2025_{test.grade}_rus.csv"))
    header, *rows = _rows(path)
    tasks = [i for i, h in enumerate(header) if "б)" in h]
    primary, mark = header.index("Первичный балл"), header.index("Отметка")
    bad = 0
    for row in rows:
        scores = [0 if row[i] == "X" else int(row[i]) for i in tasks]
        ok = sum(scores) == int(row[primary]) and all(s <= m for s, (_, m) in zip(scores, test.tasks))
        ok = ok and int(row[mark]) == int(test.marks(int(row[primary])))
        bad += not ok
    assert bad <= len(rows) * 0.005
    codes = [row[header.index("Код участника")] for row in rows]
    assert len(set(codes)) == len(codes)


def test_same_seed_same_bytes(small, tmp_path):
    generate_scaled(2025, tmp_path, scale="small", seed=11, progress=lambda line: None)
    for path in small.rglob("*.csv"):
        assert (tmp_path / "2025" / path.relative_to(small)).read_bytes() == path.read_bytes(), path.name


def test_benchmark_page_is_generated_from_the_recorded_runs(tmp_path):
    from bench.report import write_report

    results = ROOT / "docs" / "benchmarks"
    if not any(results.glob("*.json")):
        pytest.skip("no benchmark recorded yet")
    recorded = (ROOT / "docs" / "benchmarks.md").read_text(encoding="utf-8")
    assert write_report(results, tmp_path / "benchmarks.md") == recorded
