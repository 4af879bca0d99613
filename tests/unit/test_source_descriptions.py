"""Every source has one home, include/sources/<name>.yaml: the suites under expectations/ are written from
the descriptions and up to date, and every named rule, loader and side table a description uses exists."""
from __future__ import annotations

from edu_quality.config import PATHS
from edu_quality.sources import contract
from edu_quality.sources.description import descriptions
from edu_quality.validation.rules import rule_problems
from edu_quality.validation.suites import suite_text
from edu_quality.warehouse.tables import COLUMN_RULES, ROW_BUILDERS, SIDE_TABLES


def test_every_suite_file_is_written_from_its_description():
    stale = [name for name in descriptions()
             if not (PATHS.expectations / f"{name}.json").is_file()
             or (PATHS.expectations / f"{name}.json").read_text(encoding="utf-8") != suite_text(name)]
    assert stale == [], f"run `.venv/bin/python -m edu_quality.validation.suites`: {stale}"
    orphans = sorted(p.stem for p in PATHS.expectations.glob("*.json") if p.stem not in descriptions())
    assert orphans == [], f"suites without a description: {orphans}"


def test_every_named_rule_exists():
    assert rule_problems() == []
    for d in descriptions().values():
        assert all(how.get("rule", next(iter(COLUMN_RULES))) in COLUMN_RULES for how in d.load_transforms().values())
        assert d.rows is None or d.rows in ROW_BUILDERS, d.name
        assert d.side_table is None or d.side_table["rule"] in SIDE_TABLES, d.name


def test_references_name_described_sources_loaded_before():
    names = list(descriptions())
    for d in descriptions().values():
        for ref in d.references:
            assert ref in names and names.index(ref) < names.index(d.name), (d.name, ref)
        for ref in d.references:
            r = descriptions()[ref]
            assert set(r.context) <= {c.name for c in r.columns}, (ref, r.context)


def test_the_contract_sources_are_the_core_ones_in_the_contracts_order():
    assert contract.LOAD_ORDER == ("schools", "vpr_scales", "gia_thresholds", "vpr", "gia", "self_evaluation",
                                   "teachers", "olympiads", "measures", "heads", "municipal_monitoring")
    assert contract.VPR.column("participant_code").header == "Код участника"
    assert "Математика" in contract.VPR_SUBJECTS and contract.GIA_FORMS == ("ОГЭ", "ЕГЭ", "ГВЭ")
