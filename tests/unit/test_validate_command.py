"""`edu-quality validate`: one file, no loading, row-by-row messages in the user's language."""
from __future__ import annotations

from edu_quality.validation.report import validate_file
from sample_region import generate


def test_validate_reports_planted_rows_in_russian_and_english(tmp_path):
    manifest = generate(2024, tmp_path, seed=3, schools=12, municipalities=2, students_per_class=8)
    bad = next(b for b in manifest["bad_rows"] if b["rule"] == "mark_scale_mismatch")
    path = tmp_path / "2024" / bad["file"]
    lines: list[str] = []
    assert validate_file(path, bad["source"], 2024, russian=True, out=lines.append) == 0
    text = "\n".join(lines)
    assert f"строка {bad['row_number']}: «Отметка»: отметка не соответствует шкале перевода" in text
    assert "коды ОО сверяются со справочником" in text  # found beside the file in the inbox layout
    lines.clear()
    validate_file(path, bad["source"], 2024, russian=False, out=lines.append)
    assert f"row {bad['row_number']}: «Отметка»: mark disagrees with the year's scale" in "\n".join(lines)


def test_validate_exit_code_for_a_file_that_would_be_rejected(tmp_path):
    path = tmp_path / "schools.csv"
    path.write_text("Код;Название\n1;2\n", encoding="utf-8")
    lines: list[str] = []
    assert validate_file(path, "schools", 2024, russian=True, out=lines.append) == 1
    assert lines == ["Файл schools.csv будет отклонён: не найдена строка заголовка с обязательными столбцами "
                     "(файл не той формы или не в той кодировке)"]
