"""Clusters of schools and of municipalities by their indicator profile.

Features are standardised (z over the units; a missing value becomes the mean, z = 0) and clipped to
±clip_z, so that one extreme unit does not make a cluster of its own. k-means (k++
seeding, a fixed seed, several starts, the one with the least within-cluster sum of squares) is run for
every k in k_min…k_max (no more than units − 1) and the k with the highest mean silhouette is kept.
Labels are ordered by the centre's results (1 = highest), so they do not depend on the random start,
and each cluster is named from its centre.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from edu_quality import formatting as fmt

from .metrics import SCHOOL_FIELDS
from .stats import kmeans, silhouette
from .tables import columns

CENTRE_COLUMNS = columns("core.analysis_cluster")


def standardise(features: pd.DataFrame, clip: float | None = None) -> pd.DataFrame:
    f = features.astype(float)
    sd = f.std(ddof=0).replace(0, np.nan)
    z = ((f - f.mean()) / sd).fillna(0.0)
    return z.clip(-clip, clip) if clip else z


def choose_k(X: np.ndarray, k_min: int, k_max: int, seed: int, n_init: int, max_iter: int):
    """Best (silhouette, k, labels, centres) over k_min…k_max; None if fewer than 3 units."""
    n = len(X)
    best = None
    for k in range(k_min, min(k_max, n - 1) + 1):
        labels, centres, _ = kmeans(X, k, seed=seed, n_init=n_init, max_iter=max_iter)
        if len(np.unique(labels)) < k:
            continue
        sil = silhouette(X, labels)
        if best is None or sil > best[0] + 1e-12:
            best = (sil, k, labels, centres)
    return best


def _order(labels: np.ndarray, centres: np.ndarray, results_z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Relabel 1..k by the centre's results, highest first (ties: by the centre's coordinates)."""
    order = sorted(range(len(centres)), key=lambda j: (-results_z[j], tuple(centres[j])))
    new = {old: i + 1 for i, old in enumerate(order)}
    return np.array([new[label] for label in labels]), centres[order]


def _results_word(z: float, n: dict) -> str:
    if z >= float(n["results_high_z"]):
        return "с высокими результатами"
    if z <= float(n["results_low_z"]):
        return "с низкими результатами"
    return "со средними результатами"


def _dedupe(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} (группа {seen[name]})")
    return out


def school_clusters(schools: pd.DataFrame, results: pd.Series, s: dict):
    """Returns (per-school frame: cluster, cluster_name_ru; centres frame) or (None, empty) if too few."""
    cfg, naming = s["clusters"], s["clusters"]["naming"]
    features = s["clusters"]["schools"]["features"]
    raw = pd.DataFrame(index=schools.index)
    for f in features:
        raw[f] = results if f == "results_score" else schools[f]
    raw = raw.astype(float)
    z = standardise(raw, float(cfg["clip_z"]))
    best = choose_k(z.to_numpy(), int(cfg["schools"]["k_min"]), int(cfg["schools"]["k_max"]), int(cfg["seed"]),
                    int(cfg["n_init"]), int(cfg["max_iter"]))
    if best is None:
        return None, pd.DataFrame(columns=CENTRE_COLUMNS)
    sil, k, labels, centres = best
    res_j = features.index("results_score") if "results_score" in features else 0
    labels, centres = _order(labels, centres, centres[:, res_j])
    names, rows = [], []
    for j in range(1, k + 1):
        members = raw[labels == j]
        rural = members["rural"].mean() if "rural" in members else np.nan
        students = schools.loc[members.index, "students"].median()
        words = ["сельские" if rural >= float(naming["rural_share"]) else "городские"]
        if students <= float(naming["small_students"]):
            words.append("малокомплектные")
        elif students >= float(naming["large_students"]):
            words.append("крупные")
        name = " ".join(words) + " ОО " + _results_word(centres[j - 1][res_j], naming)
        context = [(centres[j - 1][i], f) for i, f in enumerate(features)
                   if f in ("low_income_pct", "non_native_pct", "disability_pct")]
        high = [(zv, f) for zv, f in context if zv >= float(naming["context_high_z"])]
        if high:
            zv, f = max(high)
            name += f", с высокой долей {SCHOOL_FIELDS[f][0].split('доля ', 1)[1]}"
        names.append(name)
    names = _dedupe(names)
    for j in range(1, k + 1):
        members = raw[labels == j]
        centre = {f: round(float(centres[j - 1][i]), 4) for i, f in enumerate(features)}
        means = members.mean()
        text = "; ".join(_feature_text(f, means[f]) for f in features)
        rows.append(dict(level="school", cluster=j, name_ru=names[j - 1], members=int(len(members)), k=k,
                         silhouette=sil, centre=centre, centre_ru=text))
    per_school = pd.DataFrame({"cluster": labels, "cluster_name_ru": [names[label - 1] for label in labels]},
                              index=schools.index)
    return per_school, pd.DataFrame(rows, columns=CENTRE_COLUMNS)


def _feature_text(f: str, v: float) -> str:
    if f == "results_score":
        return f"сводный результат {fmt.num(v)} из 100"
    if f == "rural":
        return f"доля сельских ОО {fmt.value(v * 100, '%')}"
    if f == "log_students":
        return f"численность обучающихся (среднее геометрическое) {fmt.num(np.expm1(v), 0)}"
    name, unit = SCHOOL_FIELDS[f]
    return f"{name} {fmt.value(v, unit)}"


def municipality_clusters(features: pd.DataFrame, polarity: dict, names_ru: dict, s: dict):
    """`features`: index municipality_code, one column per feature (municipal values). Returns
    (per-municipality frame, centres frame) or (None, empty) when there are too few municipalities."""
    cfg, naming = s["clusters"], s["clusters"]["naming"]
    mcfg = cfg["municipalities"]
    features = features.dropna(axis=1, how="all")
    if len(features) < int(mcfg["min_units"]) or features.shape[1] == 0:
        return None, pd.DataFrame(columns=CENTRE_COLUMNS)
    z = standardise(features, float(cfg["clip_z"]))
    best = choose_k(z.to_numpy(), int(mcfg["k_min"]), int(mcfg["k_max"]), int(cfg["seed"]), int(cfg["n_init"]),
                    int(cfg["max_iter"]))
    if best is None:
        return None, pd.DataFrame(columns=CENTRE_COLUMNS)
    sil, k, labels, centres = best
    cols = list(features.columns)
    sign = np.array([1.0 if polarity.get(c) == "higher_better" else -1.0 if polarity.get(c) == "lower_better"
                     else 0.0 for c in cols])
    results_z = (centres * sign).sum(axis=1) / max(1.0, float(np.abs(sign).sum()))
    labels, centres = _order(labels, centres, results_z)
    results_z = (centres * sign).sum(axis=1) / max(1.0, float(np.abs(sign).sum()))
    names, rows = [], []
    for j in range(1, k + 1):
        members = features[labels == j]
        name = "МО " + _results_word(results_z[j - 1], naming)
        if "an_rural_schools_share" in members:
            rural = members["an_rural_schools_share"].mean()
            name = ("преимущественно сельские " if rural >= float(naming["rural_share"]) * 100 else
                    "преимущественно городские ") + name
        names.append(name)
    names = _dedupe(names)
    for j in range(1, k + 1):
        members = features[labels == j]
        means = members.mean()
        rows.append(dict(level="municipality", cluster=j, name_ru=names[j - 1], members=int(len(members)), k=k,
                         silhouette=sil, centre={c: round(float(centres[j - 1][i]), 4) for i, c in enumerate(cols)},
                         centre_ru="; ".join(f"{names_ru.get(c, c)} {fmt.num(means[c])}" for c in cols)))
    per = pd.DataFrame({"cluster": labels, "cluster_name_ru": [names[label - 1] for label in labels]},
                       index=features.index)
    return per, pd.DataFrame(rows, columns=CENTRE_COLUMNS)
