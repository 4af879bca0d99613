"""The bunching estimate (analysis/bunching.py) against what was planted, by simulation: a region's score
distribution, schools drawn from it tilted to their own level, and works moved up to a boundary. The 95 %
interval is a claim, so it is checked as one: it covers the planted number in about 95 % of schools
(seeded, so the test is repeatable; the margins are the binomial spread of 300 draws)."""
from __future__ import annotations

import numpy as np

from edu_quality.analysis.bunching import describe, estimate

MAX, BOUNDS, GAP = 30, (8, 15, 22), 3
SCORES = np.arange(MAX + 1)


def _region() -> np.ndarray:
    shape = np.exp(-0.5 * ((SCORES - 15) / 6) ** 2)
    return shape / shape.sum()


def _school(rng, works: int, tilt: float, pushed: int) -> tuple[np.ndarray, int]:
    p = _region() * np.exp(tilt * (SCORES - 15) / 6)
    counts = np.bincount(rng.choice(SCORES, size=works, p=p / p.sum()), minlength=MAX + 1)
    moved = 0
    for _ in range(pushed):
        # A work a few points short of a boundary raised to it.
        short = [s for b in BOUNDS for s in range(b - GAP, b) if counts[s] > 0]
        if not short:
            break
        s = short[int(rng.integers(len(short)))]
        b = min(b for b in BOUNDS if b > s)
        counts[s] -= 1
        counts[b] += 1
        moved += 1
    return counts, moved


def _coverage(pushed: int, draws: int = 300, works: int = 120) -> tuple[float, float]:
    rng = np.random.default_rng(20261202)
    region = _region() * 100_000
    covered, estimates = 0, []
    for _ in range(draws):
        counts, moved = _school(rng, works, float(rng.uniform(-0.8, 0.8)), pushed)
        est, low, high = estimate(counts, region, BOUNDS, GAP)["total"]
        covered += low <= moved <= high
        estimates.append(est - moved)
    return covered / draws, float(np.mean(estimates))


def test_no_raised_works_the_interval_covers_zero():
    coverage, bias = _coverage(pushed=0)
    assert coverage >= 0.90, coverage
    assert abs(bias) < 1.0, bias


def test_raised_works_are_counted_within_the_interval():
    coverage, bias = _coverage(pushed=15)
    assert coverage >= 0.90, coverage
    # The estimate is about the number raised (a work raised from just below the window is not counted).
    assert abs(bias) < 2.5, bias


def test_too_few_works_away_from_the_boundaries_gives_no_estimate():
    counts = np.zeros(MAX + 1)
    counts[[8, 9, 15, 16]] = 5
    assert estimate(counts, _region() * 1000, BOUNDS, GAP) is None


def test_the_evidence_in_russian():
    assert describe(14.2, 7.6, 20.4, {3: (0.2, -3, 3), 4: (9.1, 3.2, 15), 5: (4.9, 0.5, 9)}) == (
        "около 14 работ (8–20) поднято к границам отметок: к «4» — 9, к «5» — 5")
    assert describe(1.2, 0.6, 2.6, {3: (1.2, 0.6, 2.6), 4: (0, -1, 1), 5: (0, -1, 1)}) == (
        "около 1 работы (1–3) поднято к границам отметок: к «3» — 1")
    # An interval that includes zero is not a count of raised works.
    assert describe(3.2, -1.6, 8.0, {}) == (
        "избыток работ у границ отметок не отличается от нуля (оценка 3, 95-процентный интервал от −2 до 8)")
    assert describe(0.2, -2, 2.4, {}) == "избытка работ у границ отметок не видно"


def test_a_variance_that_is_not_a_number_or_negative_gives_no_interval():
    """An ill-conditioned fit (seen on the national benchmark: `sqrt` of a negative) is not an estimate."""
    from edu_quality.analysis.bunching import _excess

    counts, mu, X = np.array([3.0, 5.0]), np.array([2.0, 4.0]), np.array([[1.0, 0.0], [1.0, 1.0]])
    at = np.array([True, True])
    assert _excess(counts, mu, X, np.eye(2) * 0.01, at) is not None
    assert _excess(counts, mu, X, -np.eye(2), at) is None
    assert _excess(counts, mu, X, np.full((2, 2), np.nan), at) is None
