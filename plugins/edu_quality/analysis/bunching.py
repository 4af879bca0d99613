"""How many ВПР works were raised to a mark boundary: a bunching estimate per school × subject × grade.

For each boundary b of the scale (the lowest primary score of «3», «4», «5») the works just above it,
b … b+1, are compared with a counterfactual: the region's distribution of primary scores on the test,
tilted to the school (log-linear in the score and its square — in the score alone below 40 works away from
the boundaries — a Poisson regression on the school's own works away from every boundary: outside
b − gap … b + 1, where raised works come from and go to); the region is the rest of it, without the school.
The excess of works at b … b+1 over the counterfactual estimates the raised works; its 95 % interval combines
the Poisson error of the observed count with the fit's error of the counterfactual (delta method).

The counterfactual is the region's own shape, so a leniency the whole region shares is not counted: the
estimate is what the school raised beyond its region.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from edu_quality import formatting as fmt

Z95 = 1.959964
# A quadratic tilt needs works enough away from the boundaries; below this a linear one.
QUADRATIC_MIN_WORKS = 40
MARKS = (3, 4, 5)
NOT_ESTIMATED = ("число поднятых работ не оценивается: вне окон у границ отметок слишком мало работ ОО, чтобы "
                 "подогнать к ней распределение региона")


def _fit(counts: np.ndarray, offset: np.ndarray, X: np.ndarray, use: np.ndarray, iterations: int = 50):
    """Poisson regression log μ = offset + Xβ on the rows `use` (IRLS). Returns (β, cov β) or None."""
    y, Xu, off = counts[use], X[use], offset[use]
    if y.sum() <= 0:
        return None
    beta = np.zeros(X.shape[1])
    beta[0] = np.log(y.sum() / np.exp(off).sum())
    for _ in range(iterations):
        eta = off + Xu @ beta
        mu = np.exp(eta)
        info = Xu.T @ (mu[:, None] * Xu)
        try:
            step = np.linalg.solve(info, Xu.T @ (y - mu))
        except np.linalg.LinAlgError:
            return None
        beta = beta + step
        if np.abs(step).max() < 1e-9:
            break
    mu = np.exp(off + Xu @ beta)
    try:
        cov = np.linalg.inv(Xu.T @ (mu[:, None] * Xu))
    except np.linalg.LinAlgError:
        return None
    # A fit that ran away (a school's works all on one side, seen at national scale) has no interval: not estimated.
    if not (np.isfinite(beta).all() and np.isfinite(cov).all()):
        return None
    return beta, cov


def estimate(counts: np.ndarray, region: np.ndarray, bounds: tuple[int, int, int], gap: int) -> dict | None:
    """`counts`, `region`: works per primary score 0 … max for the school and the region. Returns
    {mark: (estimate, low, high)} and "total", or None when the school has too few works away from the
    boundaries to fit."""
    scores = np.arange(len(counts))
    windows = np.zeros(len(counts), bool)
    for b in bounds:
        windows |= (scores >= b - gap) & (scores <= b + 1)
    use = ~windows & (region > 0)
    n_out = counts[use].sum()
    if use.sum() < 3 or n_out < 5:
        return None
    z = (scores - scores.mean()) / max(scores.std(), 1.0)
    X = np.column_stack([np.ones(len(z)), z, z ** 2] if n_out >= QUADRATIC_MIN_WORKS else [np.ones(len(z)), z])
    offset = np.log(np.maximum(region, 0.5))
    fitted = _fit(counts.astype(float), offset, X, use)
    if fitted is None:
        return None
    beta, cov = fitted
    mu = np.exp(offset + X @ beta)
    out = {}
    # The boundaries' windows may overlap: the total counts each score once.
    every = np.zeros(len(counts), bool)
    for mark, b in zip(MARKS, bounds):
        at = (scores >= b) & (scores <= b + 1)
        every |= at
        out[mark] = _excess(counts, mu, X, cov, at)
    # One fit serves every boundary, so their errors are correlated: the total's error is taken at once.
    out["total"] = _excess(counts, mu, X, cov, every)
    # An ill-conditioned fit can give a variance that is not a number or below zero: then no interval, no estimate.
    return None if any(v is None for v in out.values()) else out


def _excess(counts, mu, X, cov, at) -> tuple[float, float, float] | None:
    """Observed − expected works at the scores `at`, with the 95 % interval (Poisson error of the count and
    the fit's error of the expectation)."""
    observed, expected = float(counts[at].sum()), float(mu[at].sum())
    grad = (mu[at, None] * X[at]).sum(axis=0)
    variance = max(observed, expected) + float(grad @ cov @ grad)
    if not np.isfinite(variance) or variance < 0:
        return None
    se = float(np.sqrt(variance))
    excess = observed - expected
    return excess, excess - Z95 * se, excess + Z95 * se


def estimates(scores: pd.DataFrame, gap: int) -> pd.DataFrame:
    """Per school × subject × grade from sql/analysis/vpr_score_distribution.sql: the estimated raised
    works in total and at each boundary, with 95 % intervals (columns estimate, low, high, by_mark)."""
    cols = ["school_code", "subject", "grade", "estimate", "low", "high", "by_mark"]
    if scores.empty:
        return pd.DataFrame(columns=cols)
    rows = []
    for (subject, grade), test in scores.groupby(["subject", "grade"], sort=True):
        top = int(test["max_score"].iloc[0])
        bounds = tuple(int(test[f"min_score_{m}"].iloc[0]) for m in MARKS)
        # Works per school × primary score as one matrix (a pandas step per school was most of the cost).
        score = test["primary_score"].clip(0, top).astype(int).to_numpy()
        codes, schools = pd.factorize(test["school_code"], sort=True)
        matrix = np.zeros((len(schools), top + 1))
        np.add.at(matrix, (codes, score), test["works"].to_numpy(float))
        region = matrix.sum(axis=0)
        for school, counts in zip(schools, matrix):
            # The rest of the region: the school's own heaping must not shape its counterfactual.
            found = estimate(counts, region - counts, bounds, gap)
            if found is None:
                continue
            est, low, high = found["total"]
            rows.append((school, subject, int(grade), est, low, high, {m: found[m] for m in MARKS}))
    return pd.DataFrame(rows, columns=cols)


def describe(est: float, low: float, high: float, by_mark: dict) -> str:
    """«около 14 работ (8–20) поднято к границам отметок: к «4» — 9, к «5» — 5», or that no excess is seen, or
    that the excess is not told apart from none (its interval includes zero)."""
    if high < 0.5 or est < 0.5:
        return "избытка работ у границ отметок не видно"
    n, lo, hi = int(round(est)), int(round(low)), int(round(high))
    if low <= 0:
        return (f"избыток работ у границ отметок не отличается от нуля (оценка {n}, 95-процентный интервал от "
                f"{fmt.num(low, 0)} до {hi})")
    marks = [f"к «{m}» — {int(round(e))}" for m, (e, lo_m, _) in by_mark.items() if lo_m > 0 and e >= 0.5]
    text = f"около {fmt.count(n, 'работы', 'работ', 'работ')} ({lo}–{hi}) поднято к границам отметок"
    return text + (": " + ", ".join(marks) if marks else "")
