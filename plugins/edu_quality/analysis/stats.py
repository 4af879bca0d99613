"""The few statistics the analysis needs, in numpy/scipy: percentile ranks, one-sided tests, least
squares residuals, and k-means with k++ seeding and the silhouette (scikit-learn is not a dependency)."""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special
from scipy import stats as sps


def percentile_rank(values: pd.Series, higher_better: bool = True) -> pd.Series:
    """0–100: the share of the other schools with a worse value, ties counted half (mid-rank).
    Missing values stay missing; a single value gets 50."""
    v = values.astype(float)
    present = v.dropna()
    out = pd.Series(np.nan, index=v.index, dtype=float)
    n = len(present)
    if n == 0:
        return out
    if n == 1:
        out[present.index] = 50.0
        return out
    ranks = present.rank(method="average")           # 1..n, ascending
    pct = (ranks - 1) / (n - 1) * 100
    out[present.index] = pct if higher_better else 100 - pct
    return out


def binom_lower_p(k, n, p):
    """P(X ≤ k) for X ~ Bin(n, p), vectorised."""
    return sps.binom.cdf(np.asarray(k), np.asarray(n), np.clip(np.asarray(p, dtype=float), 0, 1))


def binom_upper_p(k, n, p):
    """P(X ≥ k) for X ~ Bin(n, p), vectorised."""
    return sps.binom.sf(np.asarray(k) - 1, np.asarray(n), np.clip(np.asarray(p, dtype=float), 0, 1))


def normal_upper_p(z):
    """P(Z ≥ z), vectorised: what scipy's norm.sf computes (ndtr(−z)), without its argument handling — 75 µs per
    call on a scalar, and the analysis asks it for each of some 36 000 groups one at a time."""
    return special.ndtr(-np.asarray(z, dtype=float))


def ols_residuals(y: np.ndarray, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Residuals and fitted values of y on [1, X] by least squares (columns with no variance dropped)."""
    X = np.asarray(X, dtype=float)
    keep = X.std(axis=0) > 0 if X.size else np.zeros(0, bool)
    design = np.column_stack([np.ones(len(y)), X[:, keep]]) if X.size else np.ones((len(y), 1))
    beta, *_ = np.linalg.lstsq(design, y, rcond=None)
    fitted = design @ beta
    return y - fitted, fitted


def robust_sd(x: np.ndarray) -> float:
    """1.4826 × median absolute deviation; the plain standard deviation if that is zero."""
    x = np.asarray(x, dtype=float)
    mad = 1.4826 * np.median(np.abs(x - np.median(x)))
    return float(mad) if mad > 0 else float(np.std(x))


# --- k-means ---

def _kpp_init(X: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    centres = [X[int(rng.integers(len(X)))]]
    for _ in range(1, k):
        d2 = np.min(((X[:, None, :] - np.array(centres)[None, :, :]) ** 2).sum(axis=2), axis=1)
        total = d2.sum()
        i = int(rng.integers(len(X))) if total == 0 else int(rng.choice(len(X), p=d2 / total))
        centres.append(X[i])
    return np.array(centres)


def kmeans(X: np.ndarray, k: int, seed: int, n_init: int = 10, max_iter: int = 300
           ) -> tuple[np.ndarray, np.ndarray, float]:
    """Lloyd's k-means, k++ seeding, n_init starts from one seeded generator; the start with the
    smallest within-cluster sum of squares wins. Returns (labels 0..k−1, centres, inertia)."""
    rng = np.random.default_rng(seed)
    best = None
    for _ in range(n_init):
        centres = _kpp_init(X, k, rng)
        labels = np.zeros(len(X), dtype=int)
        for it in range(max_iter):
            d2 = ((X[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
            new = d2.argmin(axis=1)
            if it > 0 and np.array_equal(new, labels):
                break
            labels = new
            for j in range(k):
                members = X[labels == j]
                # An emptied cluster takes the point farthest from its centre.
                centres[j] = members.mean(axis=0) if len(members) else X[int(d2.min(axis=1).argmax())]
        inertia = float(((X - centres[labels]) ** 2).sum())
        if best is None or inertia < best[2] - 1e-12:
            best = (labels.copy(), centres.copy(), inertia)
    return best


SILHOUETTE_BLOCK = 1 << 24  # distances held at once (128 MB): a country's 40,000 schools would need 12.8 GB


def silhouette(X: np.ndarray, labels: np.ndarray, block: int = SILHOUETTE_BLOCK) -> float:
    """Mean silhouette coefficient (Euclidean); 0 for a single cluster. The n × n distances are taken a
    block of rows at a time (one block, the whole matrix, up to about 4,000 units)."""
    ks = np.unique(labels)
    if len(ks) < 2:
        return 0.0
    sq = (X ** 2).sum(axis=1)
    member = (labels[:, None] == ks[None, :]).astype(float)           # n × k
    sizes = member.sum(axis=0)
    sums = np.empty((len(X), len(ks)))                                  # n × k: distance sums per cluster
    step = max(1, block // max(len(X), 1))
    for start in range(0, len(X), step):
        rows = slice(start, start + step)
        d = np.sqrt(np.maximum(sq[rows, None] + sq[None, :] - 2 * X[rows] @ X.T, 0.0))
        sums[rows] = d @ member
    own = np.searchsorted(ks, labels)
    n_own = sizes[own] - 1
    a = np.where(n_own > 0, sums[np.arange(len(X)), own] / np.maximum(n_own, 1), 0.0)
    means = sums / sizes[None, :]
    means[np.arange(len(X)), own] = np.inf
    b = means.min(axis=1)
    top = np.maximum(a, b)
    # A singleton's silhouette is 0 by convention.
    s = np.where((n_own > 0) & (top > 0), (b - a) / np.where(top > 0, top, 1), 0.0)
    return float(s.mean())


def eb_shares(k, n, level: float = 0.95) -> pd.DataFrame:
    """Empirical-Bayes estimates of shares from counts k of n (one per school): a Beta prior with the region's
    mean m and the between-school variance τ² by the method of moments for unequal sizes,
        τ² = [Σ nᵢ(pᵢ − m)² − m(1 − m)(K − 1)] / (N − Σ nᵢ²/N),
    and each school's posterior mean and equal-tailed `level` interval, in %. A small school's share is pulled
    toward the region's in proportion to its noise, so it is judged on what its few works can show. When the
    raw shares spread no more than their binomial noise (τ² ≤ 0) nothing is pooled: each school keeps its own
    share with its Jeffreys interval (the data cannot say how alike the schools are).
    Columns: estimate, low, high, weight (the share of the school's own data in the estimate: n/(n + a + b))."""
    k, n = np.asarray(k, dtype=float), np.asarray(n, dtype=float)
    ok = n > 0
    out = pd.DataFrame({"estimate": np.nan, "low": np.nan, "high": np.nan, "weight": np.nan}, index=range(len(k)))
    if ok.sum() < 2:
        return out
    kk, nn = k[ok], n[ok]
    total = nn.sum()
    m = kk.sum() / total
    p = kk / nn
    denominator = total - (nn ** 2).sum() / total
    tau2 = ((nn * (p - m) ** 2).sum() - m * (1 - m) * (len(nn) - 1)) / denominator if denominator > 0 else 0.0
    tail = (1 - level) / 2
    if tau2 <= 0 or m <= 0 or m >= 1:
        post_a, post_b, weight = k + 0.5, n - k + 0.5, np.ones(len(k))
        estimate = np.where(ok, k / np.where(ok, n, 1), np.nan)
    else:
        strength = max(m * (1 - m) / tau2 - 1, 1e-6)
        post_a, post_b = m * strength + k, (1 - m) * strength + n - k
        weight = n / (n + strength)
        estimate = post_a / (post_a + post_b)
    out["estimate"] = np.where(ok, estimate * 100, np.nan)
    out["low"] = np.where(ok, sps.beta.ppf(tail, post_a, post_b) * 100, np.nan)
    out["high"] = np.where(ok, sps.beta.ppf(1 - tail, post_a, post_b) * 100, np.nan)
    out["weight"] = np.where(ok, weight, np.nan)
    return out
