"""ВсОШ: school, municipal, regional and final stages. Each stage takes the best of the one before, so
schools with stronger students collect more prizes the higher the stage."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from edu_quality.sources import contract as c

from .planted import Plant, PlantedRow, PlantLog, insert_after, write_rows
from .region import Region
from .rng import stream
from .writers import Cell, FileRecord, TextLayout, open_table

OLYMPIADS_FILE = "olympiads.txt"
OLYMPIADS_LAYOUT = TextLayout("cp1251", "\t", "\r\n")
# This producer's header: odd case and stray spaces (matching must ignore them).
HEADER_AS_TYPED = ("  ГОД", "Этап ", "предмет", "Код  ОО", "КОД УЧАСТНИКА", "Класс", " статус")
SCHOOL, MUNICIPAL, REGIONAL, FINAL = c.OLYMPIAD_STAGES
PARTICIPANT, PRIZE, WINNER = c.OLYMPIAD_STATUSES
SUBJECTS = ("Математика", "Русский язык", "Литература", "Английский язык", "История", "Обществознание",
            "Право", "Экономика", "География", "Биология", "Химия", "Физика", "Информатика", "Экология",
            "Астрономия", "Технология", "Физическая культура", "ОБЗР", "Искусство (МХК)")
FIRST_GRADE = {"Математика": 4, "Русский язык": 4, "Физика": 7, "Химия": 8, "Право": 9, "Экономика": 7,
               "Астрономия": 8}
# (lowest grade, score for prize, score for win, share of prize-winners who go on)
STAGES = ((SCHOOL, 4, 0.7, 1.4, 1.0), (MUNICIPAL, 7, 1.4, 1.9, 0.8), (REGIONAL, 9, 2.4, 2.9, 0.7),
          (FINAL, 9, 3.1, 3.5, 0.5))


@dataclass
class OlympiadSummary:
    participants: int = 0          # simulated students who took part in any stage
    simulated_students: int = 0    # simulated students of grades 4–11 (to scale to the school's size)
    prize_winners: int = 0         # winners and prize-winners from the municipal stage up
    regional: int = 0              # at the regional stage
    federal: int = 0               # at the final stage


def _status(score: float, prize: float, win: float) -> str:
    return WINNER if score >= win else PRIZE if score >= prize else PARTICIPANT


def write_olympiads(region: Region, root: Path, log: PlantLog) -> tuple[FileRecord, dict[str, OlympiadSummary]]:
    rng = stream(region.seed, "olympiads")
    rows: list[PlantedRow] = []
    summaries: dict[str, OlympiadSummary] = {}
    stage_rows: dict[str, list[list[Cell]]] = {stage: [] for stage, *_ in STAGES}
    for s in region.schools:
        summary = summaries[s.code] = OlympiadSummary()
        # Membership only (never iterated): a student counts once however many prizes they take.
        winners: set[str] = set()
        regional: set[str] = set()
        federal: set[str] = set()
        for grade, cohort in s.cohorts.items():
            summary.simulated_students += len(cohort)
            subjects = [x for x in SUBJECTS if FIRST_GRADE.get(x, 5) <= grade]
            for code, theta in zip(cohort.codes, cohort.ability):
                if rng.random() > 0.3 + 0.1 * float(np.clip(theta, -1, 2)):
                    continue
                summary.participants += 1
                k = min(len(subjects), 1 + int(rng.poisson(0.8)))
                for j in rng.choice(len(subjects), size=k, replace=False):
                    score = float(theta) + float(rng.normal(0.0, 0.8))
                    for stage, lowest, prize, win, go_on in STAGES:
                        if grade < lowest:
                            break
                        status = _status(score, prize, win)
                        stage_rows[stage].append([region.year, stage, subjects[int(j)], s.code, code, grade, status])
                        if status == PARTICIPANT:
                            break
                        if stage != SCHOOL:
                            summary.prize_winners += code not in winners
                            winners.add(code)
                        if stage == REGIONAL:
                            summary.regional += code not in regional
                            regional.add(code)
                        if stage == FINAL:
                            summary.federal += code not in federal
                            federal.add(code)
                        if rng.random() > go_on:
                            break
                        score += float(rng.normal(0.0, 0.5))
    for stage, *_ in STAGES:
        rows.extend((r, None) for r in stage_rows[stage])
    # A status no regulation knows, on an extra row of a fresh participant (keys stay unique).
    spare = iter(region.spare["olympiads"])
    if rows:
        at = int(rng.integers(len(rows)))
        bad = list(rows[at][0])
        bad[4], bad[6] = next(spare), "лауреат"
        insert_after(rows, [(at, (bad, Plant(c.NOT_IN_SET, c.OLYMPIADS.column("status").header,
                                             "status outside the set")))])
    writer = open_table(root, OLYMPIADS_FILE, "olympiads", list(HEADER_AS_TYPED), layout=OLYMPIADS_LAYOUT)
    write_rows(writer, list(HEADER_AS_TYPED), rows, log)
    writer.blank()
    writer.note("header_variants")
    return writer.close(), summaries
