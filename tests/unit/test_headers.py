from edu_quality.sources import headers
from edu_quality.sources.contract import OLYMPIADS, VPR_SCALES


def test_normalisation_ignores_case_spaces_yo_and_quotes():
    assert headers.normalize("  Прошёл   ДИАГНОСТИКУ ") == "прошел диагностику"
    assert headers.normalize('Граница "3"') == headers.normalize("Граница «3»")


def test_enumeration_copied_into_header_is_tolerated():
    found = headers.match_columns(["Статус (участник|призёр|победитель)", "Этап"], OLYMPIADS)
    assert found == {0: "status", 1: "stage"}


def test_missing_required():
    assert headers.missing_required(["Год", "Предмет"], VPR_SCALES) == [
        "Параллель", "Максимальный балл", "Граница «3»", "Граница «4»", "Граница «5»"]


def test_task_and_self_evaluation_headers():
    assert headers.task_header("12К1 (2б)") == ("12К1", 2)
    assert headers.task_header("1 (1б)") == ("1", 1)
    assert headers.task_header("Первичный балл") is None
    assert headers.self_evaluation_code("1.29.1 Высшая") == "1.29.1"
    assert headers.self_evaluation_code("Код ОО") is None


def test_personal_data_headers():
    assert headers.is_personal_data(" ФИО ")
    assert headers.is_personal_data("Дата рождения")
    assert not headers.is_personal_data("Код участника")
