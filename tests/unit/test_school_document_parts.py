"""Due dates on working days, the appendix's rows and labels, the findings' answers."""
from __future__ import annotations

from datetime import date

from edu_quality.documents.appendix import appendix_rows, label
from edu_quality.documents.findings import school_findings
from edu_quality.formatting import quotes_ru, sentence
from edu_quality.recommendations.due import calendar_ru, due_date


def test_due_dates_move_off_weekends_and_public_holidays():
    assert due_date(date(2026, 11, 20), 1) == date(2026, 12, 21)  # a Sunday → Monday
    assert due_date(date(2026, 12, 1), 1) == date(2027, 1, 11)    # 1 January (ст. 112 ТК РФ) … the weekend
    assert due_date(date(2025, 4, 2), 1) == date(2025, 5, 5)      # 2 May 2025: a transferred day off
    assert due_date(date(2026, 11, 4), 1) == date(2026, 12, 4)
    assert "ст. 112" in calendar_ru([2027]) and "№ 1335" in calendar_ru([2025])


def _indicator(code, name, unit, value=1.0, **kw):
    return {"indicator_code": code, "name_ru": name, "unit": unit, "value": value, "previous_value": None,
            "municipality_value": 2.0, "cluster_value": None, "region_value": 3.0, "risk": None, **kw}


def test_appendix_applies_to_the_school_and_names_its_unit_once():
    rows = [_indicator("ege_share_below_min", "Доля результатов ЕГЭ ниже минимального количества баллов", "%"),
            _indicator("head_share_tenure_under_3", "Доля ОО, руководитель которых работает в должности менее 3 лет",
                       "%"),
            _indicator("head_tenure_years", "Стаж руководителя ОО в должности, полных лет", "ед.", 11.0),
            _indicator("cond_computers_per_pupil", "Количество компьютеров в расчёте на одного учащегося", "ед.", 0.13,
                       municipality_value=0.2, region_value=0.18)]
    kept = [r["indicator_code"] for r in appendix_rows(rows, "ООШ")]
    assert kept == ["head_tenure_years", "cond_computers_per_pupil"]
    shown = {r["indicator_code"]: r for r in appendix_rows(rows, "СОШ")}
    assert shown["head_tenure_years"]["label_ru"] == "Стаж руководителя ОО в должности, полных лет"
    assert shown["head_tenure_years"]["value_ru"] == "11"
    assert shown["cond_computers_per_pupil"]["value_ru"] == "0,13"
    assert label(_indicator("x", "Средний тестовый балл ЕГЭ", "балл")) == "Средний тестовый балл ЕГЭ, балл"


def test_every_finding_has_its_recommendation_or_says_why_none():
    indicators = [_indicator("vpr_share_mark_2", "Доля отметок «2» по ВПР", "%", 25.0, risk="risk_high",
                             thresholds={"risk_high": 20})]
    factors = [{"risk_factor_code": "RF04", "risk_factor_name_ru": "Риски", "at_risk": True, "evidence_ru": "доля"}]
    heads = [{"direction_code": "H3", "direction_name_ru": "Качество", "score": 30, "deficit": True,
              "evidence_ru": "оценка 30 из 100"}]
    recs = [{"recommendation_code": "R-LOW-01"}]
    found = school_findings(indicators, factors, heads, {"biased_results_suspected": True, "biased_evidence_ru": "x"},
                            [], recs, {"R-LOW-01": {"indicator": "vpr_share_mark_2", "level": "risk_high"}})
    by_key = {f["key"]: f for f in found}
    assert by_key["indicator:vpr_share_mark_2"]["recommendations"] == recs and recs[0]["finding_no"] == 2
    assert all(f["why_none_ru"] for k, f in by_key.items() if k != "indicator:vpr_share_mark_2")
    assert "не вывод о нарушениях" in by_key["status:biased_results_suspected"]["evidence_ru"]
    assert by_key["factor:RF04"]["evidence_ru"] == "Доля."


def test_findings_come_worst_first_and_a_successful_practice_last():
    indicators = [_indicator("oge_share_mark_2", "Доля «2» по ОГЭ", "%", 12.0, risk="risk_medium",
                             thresholds={"risk_medium": 10}),
                  _indicator("vpr_share_mark_2", "Доля отметок «2» по ВПР", "%", 25.0, risk="risk_high",
                             thresholds={"risk_high": 20})]
    factors = [{"risk_factor_code": "RF02", "risk_factor_name_ru": "Кадры", "at_risk": True, "evidence_ru": "доля"}]
    status = {"low_results": True, "low_results_evidence_ru": "x", "successful_practice": True}
    practices = [{"practice_name_ru": "Практика", "evidence_ru": "рост"}]
    found = school_findings(indicators, factors, [], status, practices, [], {})
    assert [f["key"] for f in found] == ["status:low_results", "indicator:vpr_share_mark_2", "factor:RF02",
                                         "indicator:oge_share_mark_2", "status:successful_practice"]
    assert [f["number"] for f in found] == [1, 2, 3, 4, 5]


def test_quotes_and_sentences():
    assert quotes_ru('МБОУ "СОШ № 1"') == "МБОУ «СОШ № 1»"
    assert sentence("доля 0,5 ед.") == "Доля 0,5 ед."
