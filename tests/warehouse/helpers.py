"""Small hand-made inbox files for warehouse tests."""
from __future__ import annotations

from pathlib import Path

SCHOOLS_HEADER = ("Код ОО;Наименование ОО;Код МО;Муниципальное образование;Тип ОО;Местность;Руководитель;"
                  "Дата назначения руководителя;Численность обучающихся")
SCALES_HEADER = "Год;Предмет;Параллель;Максимальный балл;Граница «3»;Граница «4»;Граница «5»"
VPR_HEADER = ("Муниципалитет;ОО;Название ОО;Предмет;Параллель;Класс;Код участника;Вариант;1 (2б);2 (8б);"
              "Первичный балл;Отметка;Отметка по журналу")


def write(root: Path, name: str, lines: list[str], encoding: str = "utf-8") -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def vpr_row(school: str, participant: str, t1, t2, mark: int, journal, grade: int = 5,
            cls: str = "5А", primary=None) -> str:
    score = primary if primary is not None else sum(0 if str(t) in "XН" else int(t) for t in (t1, t2))
    return ";".join(["Город", school, "Школа", "Математика", str(grade), cls, participant, "1", str(t1), str(t2),
                     str(score), str(mark), "" if journal is None else str(journal)])
