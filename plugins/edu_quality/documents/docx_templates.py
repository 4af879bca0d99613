"""Word templates (docxtpl: Jinja2 tags inside .docx) for the documents people edit.

The .docx files under include/templates/ are built by this module (`python -m
edu_quality.documents.docx_templates`) so their Jinja2 tags and styles are reviewable as code, and a test checks
that the committed files are this module's: a change of look is made here (a file restyled in Word would bring
back the 160 styles every rendered document pays for), keeping the {{ … }} and {%tr … %} tags.
"""
from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
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


def _lean(doc) -> None:
    """Keep only the styles the template uses (python-docx's blank document defines about 160, 350 KB of XML) and
    drop their Word 2010 copy (stylesWithEffects, optional: Word rebuilds it): every document rendered from the
    template parsed, wrote and compressed those 790 KB, two thirds of a Word file's time."""
    styles = doc.styles.element
    by_id = {s.get(qn("w:styleId")): s for s in styles.findall(qn("w:style"))}
    # What names a style: the body, and the numbering definitions (a list level's paragraph style).
    parts = [doc.element.body, doc.part.numbering_part.element]
    used = {e.get(qn("w:val")) for part in parts for tag in ("w:pStyle", "w:rStyle", "w:tblStyle")
            for e in part.iter(qn(tag))}
    keep = used | {i for i, s in by_id.items() if s.get(qn("w:default")) in ("1", "true")}
    pending = list(keep)
    while pending:  # a kept style's base, next and linked styles are kept too
        style = by_id.get(pending.pop())
        for tag in ("w:basedOn", "w:next", "w:link"):
            ref = style.find(qn(tag)) if style is not None else None
            if ref is not None and ref.get(qn("w:val")) not in keep:
                keep.add(ref.get(qn("w:val")))
                pending.append(ref.get(qn("w:val")))
    for style_id, style in by_id.items():
        if style_id not in keep:
            styles.remove(style)
    for r_id, rel in list(doc.part.rels.items()):
        if rel.reltype.endswith("/stylesWithEffects"):
            doc.part.drop_rel(r_id)


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
    _lean(doc)
    doc.save(path)


def build_order_template(path: Path) -> None:
    """The draft order: the same header, clauses and plan as the HTML (documents/order.py builds them once)."""
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name, style.font.size = "Times New Roman", Pt(13)
    for line, bold in (("ПРОЕКТ", True), ("РАСПОРЯЖЕНИЕ", True), ("{{ order.header_ru }}", False)):
        paragraph = doc.add_paragraph(line)
        paragraph.alignment = 1
        paragraph.runs[0].bold = bold
    doc.add_paragraph("от «___» ____________ 20__ г. № _____")
    title = doc.add_paragraph("{{ order.title_ru }}")
    title.alignment, title.runs[0].bold = 1, True
    doc.add_paragraph("В соответствии с муниципальной системой оценки качества образования, по результатам "
                      "мониторинга качества образования за {{ year }} год:")
    doc.add_paragraph("{%p for c in order.clauses %}")
    doc.add_paragraph("{{ c.number }}. {{ c.text_ru }}")
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph("Руководитель ____________________ / ____________________ /")
    doc.add_heading("Приложение 1. План мероприятий по результатам мониторинга", level=2)
    _table(doc, ["№", "Мероприятие", "Ответственный", "Участники", "Срок"], "r in order.plan",
           ["{{ r.number }}", "{{ r.measure_ru }}", "{{ r.responsible_ru }}", "{{ r.participants_ru }}",
            "{{ r.due_ru }}"], [1, 6.5, 3.5, 3.5, 2.5])
    doc.add_heading("Приложение 2. Руководители, которым оказывается адресная методическая помощь", level=2)
    _table(doc, ["№", "Общеобразовательная организация", "Направления мониторинга эффективности руководителей с "
                 "дефицитом"], "d in order.deficits",
           ["{{ d.number }}", "{{ d.school_ru }}", "{{ d.directions_ru }}"], [1, 6, 10])
    _lean(doc)
    doc.save(path)


def main() -> None:
    build_school_template(PATHS.templates / SCHOOL_TEMPLATE)
    build_order_template(PATHS.templates / ORDER_TEMPLATE)
    print(PATHS.templates / SCHOOL_TEMPLATE, PATHS.templates / ORDER_TEMPLATE)


if __name__ == "__main__":
    main()
