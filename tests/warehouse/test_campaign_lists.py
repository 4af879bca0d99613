"""The CSV lists the campaign sends: overdue follow-up (steps.follow_up) and reminders of missing data
(steps.reminders), as Excel opens them (UTF-8 with a BOM, `;`)."""
from __future__ import annotations

import csv
from datetime import date

from sqlalchemy import text

from edu_quality.pipeline import steps
from edu_quality.pipeline.ingest import ingest_file

from .helpers import SCHOOLS_HEADER, write

YEAR = 2303


def _read(path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith("\ufeff".encode())
    return list(csv.reader(raw.decode("utf-8-sig").splitlines(), delimiter=";"))


def test_follow_up_and_reminder_lists(tmp_path, warehouse):
    write(tmp_path, "schools.csv", [SCHOOLS_HEADER,
                                     "L0001;Школа 1;MO01;Город;СОШ;городская;Иванова А. А.;01.09.2015;300",
                                     'L0002;"Школа; 2";MO01;Город;СОШ;городская;Петров Б. Б.;01.09.2015;200'])
    ingest_file(warehouse, YEAR, "schools", tmp_path / "schools.csv", "schools.csv")
    with warehouse.begin() as conn:
        conn.execute(text("delete from core.recommendation where year = :y"), {"y": YEAR})
        conn.execute(text("delete from core.measure where year = :y"), {"y": YEAR})
        load_id = conn.execute(text(
            "insert into core.load_log (year, source, file_name, sha256, status) "
            "values (:y, 'measures', 'hand-made.csv', 'hand-made', 'loaded') returning load_id"),
            {"y": YEAR}).scalar_one()
        for school, code in (("L0001", "R-01"), ("L0001", "R-02"), ("L0002", "R-01")):
            conn.execute(text(
                "insert into core.recommendation (year, level, unit_code, recommendation_code, text_ru, basis_ru, "
                "due_date) values (:y, 'school', :s, :c, 'Текст', 'Основание', :d)"),
                {"y": YEAR, "s": school, "c": code, "d": date(2020, 1, 31)})
        # L0001 R-01 done; L0001 R-02 planned but overdue; L0002 R-01: no plan at all
        for code, due, done in (("R-01", date(2020, 3, 1), True), ("R-02", date(2020, 3, 1), False)):
            conn.execute(text(
                "insert into core.measure (year, level, unit_code, recommendation_code, measure, responsible, "
                "due_date, done, load_id, row_number) values (:y, 'ОО', 'L0001', :c, 'Мера', 'Завуч', :d, :done, "
                ":l, 1)"), {"y": YEAR, "c": code, "d": due, "done": done, "l": load_id})

    late = steps.follow_up(YEAR, str(tmp_path / "out"))
    assert (late["recommendations"], late["late"]) == (3, 2)
    assert _read(tmp_path / "out" / str(YEAR) / "контроль_исполнения_просрочено.csv") == [
        ["Уровень", "Код", "Наименование", "Рекомендация", "Срок рекомендации", "Срок меры", "Состояние"],
        ["school", "L0001", "Школа 1", "R-02", "31.01.2020", "01.03.2020", "просрочено"],
        ["school", "L0002", "Школа; 2", "R-01", "31.01.2020", "", "нет плана мероприятий"],
    ]

    missing = steps.reminders(YEAR, str(tmp_path / "out"))
    rows = _read(tmp_path / "out" / str(YEAR) / "напоминания_о_непредставленных_данных.csv")
    assert rows[0] == ["Код МО", "Код ОО", "Наименование ОО", "Руководитель", "Не представлено", "Дней до срока"]
    assert [r[:4] for r in rows[1:]] == [["MO01", "L0001", "Школа 1", "Иванова А. А."],
                                         ["MO01", "L0002", "Школа; 2", "Петров Б. Б."]]
    assert missing["schools"] == 2 and all("ВПР" in r[4] for r in rows[1:])
