"""The one Russian number and date formatter: each place a number is read keeps its own notation."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from edu_quality import formatting as f
from edu_quality.documents.templating import environment, markdown_environment


def test_prose_uses_a_typographic_minus_and_spells_the_unit():
    assert f.value(23.14, "%") == "23,1 %"
    assert f.value(3.61, "балл") == "3,6 балла"
    assert f.value(-1.5, "п. п.") == "−1,5 п. п."
    assert f.value(-0.04, "п. п.") == "0,0 п. п."  # no negative zero
    assert f.value(0.071, "ед.") == "0,07 ед." and f.value(1.071, "ед.") == "1,1 ед."
    assert f.value(None, "%") == f.value(float("nan"), "%") == "нет данных"
    assert f.num(2.345, 2) == "2,35" and f.num(-3, 0) == "−3"


def test_document_tables_keep_pythons_sign_and_a_dash():
    assert f.cell(23.14, "%") == "23,1 %"
    assert f.cell(3.61, "балл") == "3,6"  # the column header names the unit
    assert f.cell(-0.04) == "-0,0" and f.cell(-1.25) == "-1,2"
    assert f.cell(None, "%") == "—"
    # A Decimal rounds as the float it is closest to, as %-formatting did.
    assert f.cell(Decimal("0.35")) == f.cell(0.35) == "0,3"


def test_recommendation_basis_writes_the_catalogue_unit():
    assert f.basis_value(3.61, "балл") == "3,6 балл"
    assert f.basis_value(12.0, "%") == "12,0 %"
    assert f.basis_value(1.0, "") == "1,0 "


def test_settings_numbers_are_exact():
    assert [f.exact(x) for x in (0.4, 2, 1.5, 0.000001, -0.5)] == ["0,4", "2", "1,5", "0,000001", "−0,5"]
    assert f.exact(2.5, typographic=False) == "2,5" and f.exact(-2.5, typographic=False) == "-2,5"
    assert f.whole_percent(0.6) == "60" and f.whole_percent(0.125) == "12"


def test_dates_and_plurals():
    assert f.date_ru(date(2026, 3, 1)) == "1 марта 2026 г."
    assert f.count(1, "вид", "вида", "видов") == "1 вид" and f.count(22, "вид", "вида", "видов") == "22 вида"


def test_templates_get_the_formatter_as_filters():
    html = environment().from_string("{{ v|cell(u) }} {{ d|date_ru }}").render(v=-0.04, u="%", d=date(2026, 1, 9))
    assert html == "-0,0 % 9 января 2026 г."
    page = markdown_environment().from_string("{% for x in xs %}\n- {{ x|exact }}\n{% endfor %}\n").render(xs=[0.5, 2])
    assert page == "- 0,5\n- 2\n"
