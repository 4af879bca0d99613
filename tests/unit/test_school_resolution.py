"""The rule that resolves a described source's rows to schools of the year, and the rated names to schools:
normalised names, numbers, kinds of organisation, okrug codes — on names as the Moscow files write them."""
from __future__ import annotations

import pandas as pd

from edu_quality.analysis.rating_agreement import agreement, match_rating, rated_kind, read_rating
from edu_quality.sources.registry import description
from edu_quality.warehouse.resolve import kind_of, match_key, municipality_code, normalised, number_of

EGE = description("moscow_ege").monitoring
REGISTRY = description("moscow_schools").monitoring


def test_number_and_kind_make_the_key_whatever_the_legal_form_and_the_year():
    in_2016 = "Государственное бюджетное общеобразовательное учреждение города Москвы «Школа № 426»"
    in_2013 = ("Государственное бюджетное образовательное учреждение города Москвы средняя общеобразовательная "
               "школа № 426")
    assert match_key(in_2016, EGE) == match_key(in_2013, REGISTRY) == ("school", "№426")
    assert number_of("ГБОУ ШКОЛА N 1430") == "1430" and number_of("Школа-интернат «Интеллектуал»") is None


def test_colleges_and_institutes_are_told_from_schools():
    college = "Государственное бюджетное профессиональное образовательное учреждение города Москвы «Колледж № 20»"
    institute = ("Государственное автономное образовательное учреждение высшего образования города Москвы «Московский "
                 "институт открытого образования» (средняя общеобразовательная школа № 179)")
    assert kind_of(college, EGE) == ("college", "школьное отделение колледжа")
    assert kind_of(institute, EGE) == ("higher", "школьное отделение вуза")
    assert match_key(college, EGE) != match_key("ГБОУ города Москвы «Школа № 20»", EGE)
    assert kind_of("ГБОУ города Москвы «Лицей № 1535»", EGE) == ("school", "лицей")


def test_names_without_a_number_are_compared_without_the_legal_form_quotes_and_honorific():
    a = normalised("Негосударственное образовательное учреждение города Москвы «Гармония» имени А. С. Пушкина",
                   EGE.name_drop)
    assert a == "гармония"


def test_okrug_codes_are_the_descriptions_or_the_initials():
    assert municipality_code("Зеленоградский административный округ", EGE) == "ЗелАО"
    assert municipality_code("Северо-Восточный административный округ", REGISTRY) == "СВАО"
    assert municipality_code("Новый административный округ", EGE.model_copy(update={"municipality_codes": {}})) == "НАО"


def test_rated_names_match_one_school_each(tmp_path):
    path = tmp_path / "rating.txt"
    path.write_bytes('1,\tГБОУ ШКОЛА № 57\r\n2,\t"ГБОУ ""ЛИЦЕЙ ""ВТОРАЯ ШКОЛА"""\r\n3,\tГБПОУ ТК № 21\r\n'
                     '4,\tГБОУ ШКОЛА № 7\r\n5,\tСУНЦ МГУ\r\n'.encode())
    rating = read_rating(path)
    assert rating[1] == (2, 'ГБОУ "ЛИЦЕЙ "ВТОРАЯ ШКОЛА"') and rated_kind(rating[2][1]) == "college"
    schools = pd.DataFrame({"school_name": [
        "ГБОУ города Москвы «Школа № 57»", "ГБОУ города Москвы «Лицей «Вторая школа»",
        "ГБПОУ города Москвы «Технологический колледж № 21»", "ГБОУ города Москвы «Школа № 21»",
        "ГБОУ города Москвы «Школа № 7»", "ГБОУ города Москвы «Гимназия № 7»"]},
        index=["A", "B", "C", "D", "E", "F"])
    found = {m.place: m.school_code for m in match_rating(rating, schools)}
    assert found == {1: "A", 2: "B", 3: "C", 4: None, 5: None}   # № 7: two schools; СУНЦ МГУ: none


def test_auc_and_spearman():
    values = pd.Series({"a": 90.0, "b": 80.0, "c": 10.0, "d": 20.0, "e": 80.0})
    places = pd.Series({"a": 1, "b": 2, "e": 3})
    result = agreement(values, places, "x")
    assert result.auc == 1.0 and result.rated_with_value == 3
    assert result.spearman > 0.8
    assert agreement(values, pd.Series({"c": 1, "d": 2}), "x").auc == 0.0
