"""Objectivity of the other external assessments (analysis/objectivity.py): the olympiads' school stage and
the ОГЭ mark boundaries, on hand-made frames (only the fields these signals read)."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd

from edu_quality.analysis import objectivity as ob
from edu_quality.analysis.settings import load_settings

S = load_settings()


def _olympiads(rows) -> SimpleNamespace:
    frame = pd.DataFrame(rows, columns=["school_code", "subject", "first_prizes", "went_on", "next_prizes"])
    return SimpleNamespace(olympiads=frame, schools=pd.DataFrame(index=sorted(set(frame["school_code"]))))


def test_a_lenient_school_stage_is_flagged():
    """Four ordinary schools: half of the school stage's prize-winners win at the next stage. LEN sends 40
    on, and 2 win (5 %): against the rest of the region's 42 of 84 (50 %) that is 10 % of it, past the 40 %
    threshold, and P(X ≤ 2 | Bin(40; 0,5)) is about 7·10⁻¹⁰."""
    rows = [(c, "Математика", 30, 20, 10) for c in ("A", "B", "C", "D")]
    rows += [("LEN", "Математика", 60, 40, 2), ("SMALL", "Математика", 8, 4, 2)]
    sig = ob.olympiad_signals(_olympiads(rows), S).set_index("school_code")
    assert sig.at["LEN", "flagged"] and sig.at["LEN", "reference_value"] == 50
    assert np.isclose(sig.at["LEN", "value"], 10) and sig.at["LEN", "p_value"] < 1e-8
    assert "из 40 победителей и призёров школьного этапа" in sig.at["LEN", "verdict_ru"]
    assert "победителями или призёрами стали 2 (5,0 %" in sig.at["LEN", "verdict_ru"]
    assert not sig.loc[["A", "B", "C", "D"], "flagged"].any()
    assert not sig.at["SMALL", "assessed"] and sig.at["SMALL", "verdict_ru"].startswith("недостаточно участников")
    assert set(sig["subject"]) == {ob.OLYMPIAD_GROUP}


def _oge(school_counts: dict[str, np.ndarray]) -> SimpleNamespace:
    rows = [(school, "Математика", 9, score, int(n), 8, 15, 22, 30)
            for school, counts in school_counts.items() for score, n in enumerate(counts) if n]
    frame = pd.DataFrame(rows, columns=["school_code", "subject", "grade", "primary_score", "works", "min_score_3",
                                        "min_score_4", "min_score_5", "max_score"])
    return SimpleNamespace(oge_scores=frame, schools=pd.DataFrame(index=sorted(school_counts)))


SCORES = np.arange(31)
SHAPE = np.exp(-0.5 * ((SCORES - 15) / 6) ** 2) / np.exp(-0.5 * ((SCORES - 15) / 6) ** 2).sum()


def _clean(rng, schools: int = 20, results: int = 100) -> dict[str, np.ndarray]:
    return {f"S{i:02d}": np.bincount(rng.choice(SCORES, results, p=SHAPE), minlength=31) for i in range(schools)}


def test_oge_works_heaped_at_a_boundary_are_flagged():
    """Twenty schools of 100 results drawn from one shape; PUSH has 200, and every result 1–3 points short of
    «3» or «4» is raised to the boundary (about a sixth of its results)."""
    rng = np.random.default_rng(7)
    counts = _clean(rng)
    push = np.bincount(rng.choice(SCORES, 200, p=SHAPE), minlength=31)
    for boundary in (8, 15):
        for s in range(boundary - 3, boundary):
            push[boundary] += push[s]
            push[s] = 0
    counts["PUSH"] = push
    sig = ob.gia_boundary_signals(_oge(counts), S).set_index("school_code")
    assert sig.at["PUSH", "flagged"], sig.at["PUSH", "verdict_ru"]
    assert "поднято к границам отметок" in sig.at["PUSH", "verdict_ru"]
    assert sig.at["PUSH", "estimate_low"] > 0


def test_oge_boundary_false_alarms_are_at_the_stated_level():
    """400 schools that raised nothing (20 regions of 20): the signal is one-sided at α = 0,01, so about 4
    false alarms are expected; measured 5 (1,25 %). More than 2 % would mean the interval is too narrow."""
    flagged = sum(int(ob.gia_boundary_signals(_oge(_clean(np.random.default_rng(seed))), S)["flagged"].sum())
                  for seed in range(20))
    assert flagged <= 8, flagged
