"""The draft order (проект распоряжения) of the municipal education authority: its clauses and its plan of
measures, built once here so that the HTML/PDF and the editable DOCX carry the same text word for word.

What it orders follows the Irkutsk regulation §5.3 (review within one month with the heads and the schools'
collegial bodies; correcting the municipal programmes; targeted help to heads) and §1.4 (spreading successful
practices), the Revda order §4 and §14–15 (heads' deficits, best practices), and the Ishimbay order's
appendix 1 (who answers for each mechanism: by role, never a person's name).
"""
from __future__ import annotations

from datetime import date

from edu_quality.documents.declension import order_header
from edu_quality.formatting import date_ru, quotes_ru, sentence
from edu_quality.recommendations.catalogue import Rule
from edu_quality.recommendations.due import due_date

IRKUTSK = "п. 5.3 регламента экспертизы эффективности муниципальной образовательной системы Иркутской области"
# Who answers for a municipal recommendation, by what its rule answers (the Ishimbay order names a responsible
# executor per mechanism; the order names roles, the authority fills in the people).
MMS = "; муниципальная методическая служба"
RESPONSIBLE_RU = {
    "status:low_results": "Специалист, ответственный за работу со школами с низкими результатами" + MMS,
    "status:unfavorable_conditions": "Специалист, ответственный за работу со школами с низкими результатами" + MMS,
    "status:biased_results_suspected": "Муниципальный координатор оценочных процедур",
    "status:successful_practice": "Муниципальная методическая служба",
    "head_direction": "Специалист, ответственный за мониторинг эффективности руководителей" + MMS,
    "risk_factor:RF01": "Специалист по материально-техническому обеспечению",
    "risk_factor": "Специалист по кадровому обеспечению" + MMS,
    "expert_review": "Заместитель руководителя органа управления образованием",
    "always": "Заместитель руководителя органа управления образованием",
    "indicator": "Специалист, ответственный за оценку качества подготовки обучающихся" + MMS,
}
ALL_HEADS_RU = "Руководители всех ОО муниципалитета"


def _responsible(when: dict) -> str:
    for key in (f"status:{when.get('status')}", f"risk_factor:{when.get('risk_factor')}"):
        if key in RESPONSIBLE_RU:
            return RESPONSIBLE_RU[key]
    return next((RESPONSIBLE_RU[k] for k in ("head_direction", "risk_factor", "expert_review", "always", "indicator")
                 if k in when), RESPONSIBLE_RU["always"])


def _names(schools: list[dict]) -> str:
    return "; ".join(quotes_ru(s["school_name"]) for s in schools)


def _participants(when: dict, groups: dict[str, list[dict]]) -> str:
    """Whom a measure involves: the schools its condition names, or every head of the municipality."""
    for kind in ("status", "head_direction", "risk_factor"):
        if kind in when:
            schools = groups.get(f"{kind}:{when[kind]}", [])
            return "Руководители ОО: " + _names(schools) if schools else ALL_HEADS_RU
    return ALL_HEADS_RU + (", представители органов коллегиального управления ОО" if "expert_review" in when
                           or "always" in when else "")


def plan_rows(recommendations: list[dict], rules: dict[str, Rule], groups: dict[str, list[dict]]) -> list[dict]:
    rows = []
    for n, r in enumerate(recommendations, 1):
        when = rules[r["recommendation_code"]].when if r["recommendation_code"] in rules else {}
        rows.append({"number": n, "code": r["recommendation_code"], "measure_ru": r["text_ru"],
                     "responsible_ru": _responsible(when), "participants_ru": _participants(when, groups),
                     "due_ru": f"до {r['due_date_ru']}"})
    return rows


def deficit_rows(schools: list[dict]) -> list[dict]:
    """Appendix 2: each head who gets targeted help, by school (the report's `deficit_schools`), with the directions
    of the deficits."""
    return [{"number": n, "school_ru": f"{s['school_code']} {quotes_ru(s['school_name'])}",
             "directions_ru": "; ".join(f"{d['code']}. {d['name']}" for d in s["directions"])}
            for n, s in enumerate(schools, 1)]


def _practices(practices: list[dict]) -> str:
    by_name: dict[str, list[str]] = {}
    for p in practices:
        by_name.setdefault(p["practice_name_ru"], []).append(quotes_ru(p["school_name"]))
    return "; ".join(f"«{name}» — {', '.join(schools)}" for name, schools in by_name.items())


def clauses(ctx: dict, issued_on: date, heads: int) -> list[str]:
    """The order's numbered clauses, in Russian, each a whole sentence (one full stop after «г.»)."""
    due1, due2, due3 = (date_ru(due_date(issued_on, m)) for m in (1, 2, 3))
    out = [f"Принять к сведению аналитическую справку по результатам мониторинга качества образования за "
           f"{ctx['year']} год (прилагается)",
           f"Руководителям общеобразовательных организаций в течение одного месяца ({IRKUTSK}) рассмотреть "
           "результаты мониторинга и адресные рекомендации с педагогическими коллективами и органами "
           "коллегиального управления образовательных организаций (педагогический совет, управляющий совет) и до "
           f"{due1} представить планы мероприятий с конкретными сроками исполнения"]
    if ctx["low_results"]:
        out.append(f"Руководителям общеобразовательных организаций с низкими образовательными результатами "
                   f"({_names(ctx['low_results'])}) разработать программы повышения качества образования "
                   f"(антирисковые программы) и представить их на согласование в срок до {due1}")
    if heads:
        out.append("Муниципальной методической службе оказать адресную методическую помощь руководителям "
                   "общеобразовательных организаций с профессиональными дефицитами по итогам мониторинга "
                   f"эффективности руководителей (приложение 2, руководителей — {heads}) в срок до {due2}")
    if ctx["practices"]:
        schools = list({p["school_code"]: p for p in ctx["practices"]}.values())
        out.append(f"Муниципальной методической службе организовать распространение успешных практик "
                   f"({_practices(ctx['practices'])}): семинары, стажировочные площадки, наставничество для школ с "
                   f"низкими результатами — в срок до {due3}; рассмотреть вопрос о поощрении руководителей "
                   f"общеобразовательных организаций: {_names(schools)}")
    if ctx["biased"]:
        out.append("Муниципальному координатору оценочных процедур обеспечить объективность проведения и проверки "
                   f"ВПР {ctx['year'] + 1} года (независимые наблюдатели, перепроверка работ муниципальной комиссией) "
                   f"в общеобразовательных организациях: {_names(ctx['biased'])}")
    out += [f"Внести изменения в муниципальные программы в сфере образования с учётом итогов мониторинга в срок до "
            f"{due2}",
            "Утвердить план мероприятий по результатам мониторинга (приложение 1)",
            "Результаты мониторинга не использовать для оценки деятельности отдельных педагогических работников; "
            "результаты ВПР использовать для анализа и совершенствования преподавания, а не для рейтингов",
            "Контроль за исполнением настоящего распоряжения возложить на заместителя руководителя органа "
            "управления образованием"]
    return [sentence(c) for c in out]


def order_context(ctx: dict, issued_on: date, rules: dict[str, Rule], groups: dict[str, list[dict]]) -> dict:
    """What both versions of the draft order render: header, numbered clauses, the plan's rows."""
    deficits = deficit_rows(ctx["deficit_schools"])
    return {"header_ru": order_header(ctx["municipality"]["municipality_name"]),
            "title_ru": f"Об итогах мониторинга качества образования за {ctx['year']} год",
            "clauses": [{"number": n, "text_ru": t} for n, t in enumerate(clauses(ctx, issued_on, len(deficits)), 1)],
            "plan": plan_rows(ctx["recommendations"], rules, groups),
            "deficits": deficits or [{"number": "—", "school_ru": "дефицитов не выявлено", "directions_ru": "—"}]}
