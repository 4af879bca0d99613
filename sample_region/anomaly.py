"""Planting one more biased school into a generated inbox, in its ВПР files, the way a lenient checker
would: extra points on some tasks for most works, and works a few points short of a mark boundary
pushed over it. Marks follow the scale; journal marks stay as the teacher gave them.

A second kind, `hard_tasks`, plants what only the task-level signal can see: answers to the region's
hardest tasks given out (a share of the school's works get full points on the hardest third of tasks),
while the total stays what the pupil earned (as many points are taken off the easy tasks): marks, journal
agreement and boundaries are untouched, so the other kinds of signals have nothing to see.

The generator plants its own biased schools differently (an ability boost, pushes, journal marks made
to agree); this one is independent of it and draws from a seed the generator never saw. Its strength is
drawn from the ranges below: the weakest corner is the weakest inflation the analysis claims to find
(the methodology page states it from these constants; tests/analysis plants one with a random seed).
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from edu_quality.analysis.settings import load_settings
from edu_quality.sources.files import inspect, iter_chunks
from edu_quality.sources.registry import source_by_name

TASK = re.compile(r"^\s*(\S+)\s*\((\d+)\s*б\)\s*$")
NOT_ATTEMPTED = {"X", "Х", "Н", "x", "х", "н"}


@dataclass(frozen=True)
class Anomaly:
    seed: int
    school_code: str
    bonus: int            # points added to a work that gets the bonus
    bonus_share: float    # share of works that get it
    push_share: float     # share of works 1–PUSH_GAP points short of a boundary pushed over it
    works_changed: int
    mode: str = "lenient"
    leak_share: float = 0.0  # hard_tasks: share of works given the hard tasks' answers


# The anomaly's strength, (lowest, highest) of each draw, and the school it goes to: the analysis's own
# claim of what it detects (include/analysis/settings.yaml, objectivity.claimed_detection), so the test
# plants exactly what the methodology page promises.
_CLAIM = load_settings()["objectivity"]["claimed_detection"]
BONUS_POINTS = tuple(_CLAIM["bonus_points"])        # primary points added to a work that gets the bonus
BONUS_SHARE = tuple(_CLAIM["bonus_share"])          # share of the school's works that get it
PUSH_SHARE = tuple(_CLAIM["push_share"])            # share of the works PUSH_GAP or fewer points short pushed over
PUSH_GAP = int(_CLAIM["push_gap"])
SCHOOL_TYPES = tuple(_CLAIM["school_types"])        # an ordinary school with ВПР groups above the minimum
SCHOOL_MIN_STUDENTS = int(_CLAIM["school_min_students"])
ROOM_MAX_QUALITY = _CLAIM["room_max_quality"]       # % of «4»/«5» last year: above it there is no room to inflate
LEAK_SHARE = tuple(_CLAIM["leak_share"])            # hard_tasks: share of works given the hard tasks' answers
HARD_BAND = 1 / 3                                   # the hardest third of a test's tasks, by the file's own success


def _norm(h: str) -> str:
    return " ".join(h.replace("ё", "е").split()).lower()


def _scales(year_dir: Path) -> dict[tuple[str, int], tuple[int, tuple[int, int, int]]]:
    path = next(year_dir.glob("vpr_scales.*"))
    shape = inspect(path, source_by_name("vpr_scales"))
    col = {_norm(h): i for i, h in enumerate(shape.headers)}
    out = {}
    for chunk in iter_chunks(shape):
        for row in chunk.itertuples(index=False):
            cells = list(row)
            subject = cells[col["предмет"]].strip()
            grade = int(cells[col["параллель"]])
            out[(subject, grade)] = (int(cells[col["максимальный балл"]]),
                                     tuple(int(cells[col[f"граница «{m}»"]]) for m in (3, 4, 5)))
    return out


def _mark(primary: int, bounds: tuple[int, int, int]) -> int:
    return 2 + sum(primary >= b for b in bounds)


WEAKEST = (BONUS_POINTS[0], BONUS_SHARE[0], PUSH_SHARE[0])   # the weakest inflation the method claims to find


def plant(year_dir: Path, school_code: str, seed: int, mode: str = "lenient",
          strength: tuple[int, float, float] | None = None) -> Anomaly:
    """Rewrite every ВПР file of `year_dir` (as UTF-8 `;` CSV, same stem) with the school's works inflated
    (`lenient`: bonus points and pushes over boundaries) or with the hard tasks' answers given (`hard_tasks`).
    `strength` (bonus points, bonus share, push share) replaces the drawn strength, e.g. WEAKEST."""
    if mode not in ("lenient", "hard_tasks"):
        raise ValueError(f"unknown anomaly mode {mode!r}")
    rng = np.random.default_rng(seed)
    bonus = int(rng.integers(BONUS_POINTS[0], BONUS_POINTS[1] + 1))
    bonus_share = float(rng.uniform(*BONUS_SHARE))
    push_share = float(rng.uniform(*PUSH_SHARE))
    if strength is not None:
        bonus, bonus_share, push_share = int(strength[0]), float(strength[1]), float(strength[2])
    leak_share = float(rng.uniform(*LEAK_SHARE)) if mode == "hard_tasks" else 0.0
    scales = _scales(year_dir)
    source = source_by_name("vpr")
    changed = 0
    for path in sorted((year_dir / "vpr").iterdir()):
        shape = inspect(path, source)
        headers = shape.headers
        col = {_norm(h): i for i, h in enumerate(headers)}
        tasks = [(i, int(m.group(2))) for i, h in enumerate(headers) if (m := TASK.match(h))]
        school_i, subject_i, grade_i = col["оо"], col["предмет"], col["параллель"]
        primary_i, mark_i = col["первичный балл"], col["отметка"]
        rows = []
        for chunk in iter_chunks(shape):
            for rec in chunk.itertuples(index=False):
                cells = ["" if v is None or pd.isna(v) else str(v) for v in rec[:len(headers)]]
                extra = rec[len(headers) + 1]
                rows.append((cells, extra.split("; ") if isinstance(extra, str) and extra else []))
        hard = _hardest(rows, tasks) if mode == "hard_tasks" else set()
        out = []
        for cells, extra in rows:
            if cells[school_i].strip() == school_code:
                if mode == "lenient":
                    cells, did = _inflate(cells, tasks, primary_i, mark_i, scales.get(
                        (cells[subject_i].strip(), int(cells[grade_i] or 0))), bonus, bonus_share, push_share, rng)
                else:
                    cells, did = _leak(cells, tasks, hard, leak_share, rng)
                changed += did
            out.append(cells + extra)
        target = path.with_suffix(".csv")
        if target != path:
            path.unlink()
        with target.open("w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f, delimiter=";", lineterminator="\n")
            writer.writerow(headers)
            writer.writerows(out)
    if mode == "hard_tasks":
        return Anomaly(seed, school_code, 0, 0.0, 0.0, changed, mode, leak_share)
    return Anomaly(seed, school_code, bonus, bonus_share, push_share, changed)


def _scores(cells, tasks) -> list[int] | None:
    try:
        return [0 if cells[i].strip() in NOT_ATTEMPTED else int(cells[i]) for i, _ in tasks]
    except ValueError:
        return None


def _hardest(rows, tasks) -> set[int]:
    """Positions (in `tasks`) of the hardest third of the file's tasks by the success of all its works."""
    maxes = np.array([m for _, m in tasks], float)
    got = np.array([s for cells, _ in rows if (s := _scores(cells, tasks)) is not None], float)
    if not len(got):
        return set()
    success = (got / maxes).mean(axis=0)
    k = max(1, round(len(tasks) * HARD_BAND))
    return set(int(j) for j in np.argsort(success, kind="stable")[:k])


def _leak(cells, tasks, hard, leak_share, rng):
    """A work given the hard tasks' answers: full points on them, the same points taken off the others
    (in random order), so the primary score and the mark stay."""
    scores = _scores(cells, tasks)
    maxes = [m for _, m in tasks]
    if scores is None or not hard or any(s > m for s, m in zip(scores, maxes)) or rng.random() >= leak_share:
        return cells, 0
    gained = sum(maxes[j] - scores[j] for j in hard)
    others = [j for j in range(len(scores)) if j not in hard and scores[j] > 0]
    if gained == 0 or sum(scores[j] for j in others) < gained:
        return cells, 0
    for j in hard:
        scores[j] = maxes[j]
    for j in rng.permutation(others):
        take = min(scores[j], gained)
        scores[j] -= take
        gained -= take
        if gained == 0:
            break
    cells = list(cells)
    for (i, _), s in zip(tasks, scores):
        cells[i] = str(s)
    return cells, 1


def _inflate(cells, tasks, primary_i, mark_i, scale, bonus, bonus_share, push_share, rng):
    if scale is None:
        return cells, 0
    max_score, bounds = scale
    try:
        scores = [0 if cells[i].strip() in NOT_ATTEMPTED else int(cells[i]) for i, _ in tasks]
        primary, mark = int(cells[primary_i]), int(cells[mark_i])
    except ValueError:
        return cells, 0
    maxes = [m for _, m in tasks]
    # A planted bad row (sum or mark off the scale) is left as it is.
    if sum(scores) != primary or _mark(primary, bounds) != mark or any(s > m for s, m in zip(scores, maxes)):
        return cells, 0

    def add(points: int) -> None:
        for j in rng.permutation(len(scores)):
            if points == 0:
                break
            room = min(maxes[j] - scores[j], points)
            scores[j] += room
            points -= room

    if rng.random() < bonus_share:
        add(bonus)
    short = next((b - sum(scores) for b in bounds if 1 <= b - sum(scores) <= PUSH_GAP), None)
    if short and rng.random() < push_share:
        add(short)
    new_primary = sum(scores)
    if new_primary == primary:
        return cells, 0
    cells = list(cells)
    for (i, _), s in zip(tasks, scores):
        cells[i] = str(s)
    cells[primary_i] = str(new_primary)
    cells[mark_i] = str(_mark(new_primary, bounds))
    return cells, 1
