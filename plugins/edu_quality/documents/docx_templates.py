"""Word templates (docxtpl: Jinja2 tags inside .docx) for the documents people edit.

The .docx files under include/templates/ are built by this module (`python -m
edu_quality.documents.docx_templates`) so their Jinja2 tags are reviewable as code; a methodologist may
also open one in Word and restyle it, keeping the {{ … }} and {%tr … %} tags.
"""
from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.shared import Cm, Pt

from edu_quality.config import PATHS

SCHOOL_TEMPLATE = "school_recommendations.docx"
ORDER_TEMPLATE = "draft_order.docx"
NOT_FOR_TEACHERS = ("Результаты мониторинга используются для принятия управленческих решений на уровне "
                    "образовательной организации и муниципалитета и не используются для оценки деятельности "
                    "отдельных педагогических работников.")


def _table(doc, headers: list[str], loop: str, cells: list[str], widths: list[float]):
    """A table whose body row repeats: docxtpl's {%tr %} tags sit in rows of their own."""
    table = doc.add_table(rows=4, cols=len(headers))
    table.style = "Table Grid"
    for i, h in enumerate(headers):
        table.rows[0].cells[i].text = h
        table.rows[0].cells[i].paragraphs[0].runs[0].bold = True
    table.rows[1].cells[0].text = "{%tr for " + loop + " %}"
    for i, c in enumerate(cells):
        table.rows[2].cells[i].text = c
    table.rows[3].cells[0].text = "{%tr endfor %}"
    for row in table.rows:
        for i, w in enumerate(widths):
            row.cells[i].width = Cm(w)
    return table


def build_school_template(path: Path) -> None:
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.left_margin, section.right_margin = Cm(2.5), Cm(1.5)
    style = doc.styles["Normal"]
    style.font.name, style.font.size = "Times New Roman", Pt(12)
    doc.add_heading("Адресные рекомендации руководителю общеобразовательной организации", level=1)
    doc.add_paragraph("по результатам мониторинга качества образования за {{ year }} год")
    doc.add_paragraph("{{ school.school_name }} (код ОО {{ school.school_code }}), {{ school.municipality_name }}")
    doc.add_paragraph("Руководитель: {{ school.head_name or 'не указан' }}. Дата направления: {{ issued_on_ru }}")
    doc.add_paragraph(NOT_FOR_TEACHERS).runs[0].bold = True
    doc.add_heading("1. Главное", level=2)
    _table(doc, ["Показатель", "ОО", "Прошлый год", "Муниципалитет", "Кластер", "Регион"], "i in headline",
           ["{{ i.label_ru }}", "{{ i.value_ru }}", "{{ i.previous_value_ru }}", "{{ i.municipality_value_ru }}",
            "{{ i.cluster_value_ru }}", "{{ i.region_value_ru }}"], [6, 2, 2.5, 2.5, 2, 2])
    doc.add_paragraph("{{ status_line_ru }}")
    doc.add_heading("2. Выводы и рекомендации", level=2)
    doc.add_paragraph("{% if not any_risk %}Показатели организации не попадают в зоны риска; рекомендуется "
                      "продолжить работу и рассмотреть возможность распространения опыта.{% endif %}")
    _table(doc, ["№", "Вывод", "Рекомендация и основание"], "f in finding_rows",
           ["{{ f.number }}", "{{ f.title_ru }}. {{ f.evidence_ru }}", "{{ f.answer_ru }}"], [1, 7, 8])
    doc.add_heading("3. Рисковый профиль", level=2)
    _table(doc, ["Фактор риска", "Оценка", "Обоснование"], "f in factor_rows",
           ["{{ f.risk_factor_name_ru }}", "{{ f.state_ru }}", "{{ f.evidence_ru }}"], [6, 3, 7])
    doc.add_heading("4. Мониторинг эффективности руководителя по направлениям", level=2)
    _table(doc, ["Направление", "Оценка", "Дефицит", "Что определяет оценку"], "h in head_rows",
           ["{{ h.direction_code }}. {{ h.direction_name_ru }}", "{{ h.score_ru }}", "{{ h.deficit_ru }}",
            "{{ h.drivers_ru }}"], [6, 2, 2, 6])
    doc.add_heading("5. План мероприятий", level=2)
    _table(doc, ["Рекомендация", "Вывод", "Мероприятие", "Ответственный", "Срок", "Отметка о выполнении"],
           "r in plan_rows", ["{{ r.recommendation_code }}", "{{ r.finding_ru }}", "", "Руководитель ОО",
                              "до {{ r.due_date_ru }}", ""], [2, 1.5, 5, 3, 2.5, 2])
    doc.add_paragraph("План мероприятий представляется в муниципальный орган управления образованием в течение "
                      "одного месяца после получения результатов мониторинга (до {{ due_date_ru }}). Срок, выпавший на "
                      "выходной или нерабочий праздничный день, перенесён на ближайший следующий рабочий день "
                      "(ст. 193 Гражданского кодекса РФ) по производственному календарю: {{ calendar_ru }}.")
    doc.add_heading("Приложение. Показатели образовательной организации", level=2)
    _table(doc, ["Показатель", "ОО", "Прошлый год", "Муниципалитет", "Регион"], "i in indicators",
           ["{{ i.label_ru }}", "{{ i.value_ru }}", "{{ i.previous_value_ru }}", "{{ i.municipality_value_ru }}",
            "{{ i.region_value_ru }}"], [7, 2, 2.5, 2.5, 2])
    doc.save(path)


def build_order_template(path: Path) -> None:
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name, style.font.size = "Times New Roman", Pt(13)
    for line in ("ПРОЕКТ", "ОРГАН МЕСТНОГО САМОУПРАВЛЕНИЯ, ОСУЩЕСТВЛЯЮЩИЙ УПРАВЛЕНИЕ В СФЕРЕ ОБРАЗОВАНИЯ",
                 "{{ municipality.municipality_name|upper }}", "РАСПОРЯЖЕНИЕ"):
        paragraph = doc.add_paragraph(line)
        paragraph.alignment = 1
        paragraph.runs[0].bold = True
    doc.add_paragraph("от «___» ____________ 20__ г. № _____")
    title = doc.add_paragraph("Об итогах мониторинга качества образования за {{ year }} год")
    title.alignment, title.runs[0].bold = 1, True
    doc.add_paragraph("В соответствии с муниципальной системой оценки качества образования, по результатам "
                      "мониторинга качества образования за {{ year }} год (аналитическая справка прилагается):")
    doc.add_paragraph("1. Принять к сведению аналитическую справку по результатам мониторинга качества образования "
                      "за {{ year }} год.")
    doc.add_paragraph("2. Руководителям общеобразовательных организаций рассмотреть адресные рекомендации на "
                      "заседаниях педагогических советов и представить планы мероприятий в срок до {{ review_due_ru }}")
    doc.add_paragraph("{% if low_results %}3. Руководителям общеобразовательных организаций с низкими "
                      "образовательными результатами ({{ low_results|map(attribute='school_name')|join('; ') }}) "
                      "разработать программы повышения качества образования в срок до {{ review_due_ru }}{% endif %}")
    doc.add_paragraph("{{ 4 if low_results else 3 }}. Утвердить план мероприятий по результатам мониторинга:")
    _table(doc, ["№", "Мероприятие", "Ответственный", "Срок"], "r in recommendations",
           ["{{ loop.index }}", "{{ r.text_ru }}", "Муниципальный орган управления образованием",
            "до {{ r.due_date_ru }}"], [1, 9, 4, 3])
    doc.add_paragraph("{{ 5 if low_results else 4 }}. Результаты мониторинга не использовать для оценки "
                      "деятельности отдельных педагогических работников.")
    doc.add_paragraph("{{ 6 if low_results else 5 }}. "
                      "Контроль за исполнением настоящего распоряжения оставляю за собой.")
    doc.add_paragraph("Руководитель ____________________ / ____________________ /")
    doc.save(path)


def main() -> None:
    build_school_template(PATHS.templates / SCHOOL_TEMPLATE)
    build_order_template(PATHS.templates / ORDER_TEMPLATE)
    print(PATHS.templates / SCHOOL_TEMPLATE, PATHS.templates / ORDER_TEMPLATE)


if __name__ == "__main__":
    main()
