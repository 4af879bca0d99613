"""A school's findings (выводы): every indicator in a risk zone, every risk factor at risk, every deficit of
the heads' monitoring and every status of the analysis in mart, each with the recommendations chosen for it
or a sentence saying why none applies. The document lists them first, so that it never says «no risk»
where the warehouse holds one.
"""
from __future__ import annotations

import re

from edu_quality.formatting import sentence
from edu_quality.formatting import value as fmt_value

ZONE_RU = {"risk_high": "в зоне высокого риска", "risk_medium": "в зоне среднего риска"}
STATUS_TITLE_RU = {
    "low_results": "Школа с низкими образовательными результатами",
    "unfavorable_conditions": "Школа, функционирующая в неблагоприятных социальных условиях",
    "biased_results_suspected": "Признаки необъективности результатов, требующие проверки",
}
STATUS_EVIDENCE = {"low_results": "low_results_evidence_ru", "unfavorable_conditions": "unfavorable_evidence_ru",
                   "biased_results_suspected": "biased_evidence_ru"}
NO_RULE_RU = {
    "indicator": "Рекомендация для этой зоны риска в региональном каталоге не предусмотрена; меры по показателю "
                 "(показателям) школа определяет сама и вносит в план мероприятий.",
    "factor": "Рекомендация по этому фактору риска в региональном каталоге не предусмотрена; меры по нему "
              "школа определяет сама и вносит в план мероприятий.",
    "head": "Рекомендация по этому направлению в региональном каталоге не предусмотрена; меры по устранению "
            "дефицита руководитель определяет сам и вносит в план мероприятий.",
    "status": "Отдельная рекомендация для этого статуса в региональном каталоге не предусмотрена; меры "
              "определяются рекомендациями по другим выводам и вносятся в план мероприятий.",
    "practice": "Рекомендация не требуется: опыт школы предлагается рассмотреть для распространения в "
                "муниципалитете.",
}
# What a head reads first: statuses that call for action, then the high-risk results, the risk profile and the
# head's deficits, then what is only to watch, and a successful practice last.
SEVERITY = {"status": 0, "risk_high": 1, "factor": 2, "deficit": 3, "risk_medium": 4, None: 5}
BIAS_NOTE_RU = ("Это сигналы, которые требуют проверки условий проведения и проверки работ, а не вывод о "
                "нарушениях.")


def finding_key(when: dict) -> str | None:
    """The finding a catalogue rule's condition answers: `indicator:<code>`, `factor:<code>`, `status:<name>`."""
    if "indicator" in when:
        return f"indicator:{when['indicator']}"
    if "risk_factor" in when:
        return f"factor:{when['risk_factor']}"
    if "status" in when:
        return f"status:{when['status']}"
    if "head_direction" in when:
        return f"head:{when['head_direction']}"
    return None


def _indicator_findings(indicators: list[dict]) -> list[dict]:
    out = []
    for i in indicators:
        if i["risk"] not in ZONE_RU:
            continue
        limit = (i.get("thresholds") or {}).get(i["risk"])
        evidence = (f"{fmt_value(i['value'], i['unit'])} — {ZONE_RU[i['risk']]}"
                    + (f" (порог {fmt_value(limit, i['unit'])})" if limit is not None else "")
                    + (f"; по муниципалитету {fmt_value(i['municipality_value'], i['unit'])}"
                       if i["municipality_value"] is not None else "")
                    + (f", по региону {fmt_value(i['region_value'], i['unit'])}" if i["region_value"] is not None
                       else ""))
        out.append({"key": f"indicator:{i['indicator_code']}", "kind": "indicator", "title_ru": i["name_ru"],
                    "evidence_ru": sentence(evidence), "risk": i["risk"]})
    return out


def _profile_findings(factors: list[dict], heads: list[dict]) -> list[dict]:
    out = [{"key": f"factor:{f['risk_factor_code']}", "kind": "factor", "risk": "factor",
            "title_ru": f"Фактор риска «{f['risk_factor_name_ru']}»", "evidence_ru": sentence(f["evidence_ru"])}
           for f in factors if f["at_risk"]]
    out += [{"key": f"head:{h['direction_code']}", "kind": "head", "risk": "deficit",
             "title_ru": f"Дефицит по направлению «{h['direction_name_ru']}»: оценка "
                         f"{fmt_value(h['score'], '', 0)} из 100", "evidence_ru": sentence(h["evidence_ru"])}
            for h in heads if h["deficit"]]
    return out


def _status_findings(status: dict | None, practices: list[dict]) -> list[dict]:
    if not status:
        return []
    out = []
    for name, title in STATUS_TITLE_RU.items():
        if status.get(name):
            evidence = sentence(status.get(STATUS_EVIDENCE[name]) or "")
            if name == "biased_results_suspected":
                evidence = f"{evidence} {BIAS_NOTE_RU}".strip()
            out.append({"key": f"status:{name}", "kind": "status", "risk": "status", "title_ru": title,
                        "evidence_ru": evidence})
    if status.get("successful_practice"):
        out.append({"key": "status:successful_practice", "kind": "practice", "risk": None,
                    "title_ru": "Школа — носитель успешной практики",
                    "evidence_ru": sentence("; ".join(f"{p['practice_name_ru']}: {p['evidence_ru']}"
                                                     for p in practices))})
    return out


def _watch_list(found: list[dict]) -> list[dict]:
    """Medium-risk indicators no rule answers, as one finding: a list to watch, not a page of repetitions."""
    watch = [f for f in found if f.get("risk") == "risk_medium" and not f["recommendations"]]
    if len(watch) < 2:
        return found
    items = "; ".join(f"{f['title_ru']} — {f['evidence_ru'].rstrip('.')}" for f in watch)
    kept = [f for f in found if f not in watch]
    return kept + [{"key": "indicator:medium", "kind": "indicator", "risk": "risk_medium",
                    "title_ru": "Показатели в зоне среднего риска", "evidence_ru": sentence(items),
                    "recommendations": []}]


def school_findings(indicators: list[dict], factors: list[dict], heads: list[dict], status: dict | None,
                    practices: list[dict], recommendations: list[dict], conditions: dict[str, dict]) -> list[dict]:
    """The numbered findings, each with its recommendations (those whose rule answers it) or `why_none_ru`;
    each recommendation gets the number of the finding it answers (`finding_no`)."""
    found = (_status_findings(status, practices) + _indicator_findings(indicators)
             + _profile_findings(factors, heads))
    by_key = {f["key"]: {**f, "recommendations": []} for f in found}
    for r in recommendations:
        f = by_key.get(finding_key(conditions.get(r["recommendation_code"], {})) or "")
        if f is not None:
            f["recommendations"].append(r)
    found = sorted(_watch_list(list(by_key.values())), key=lambda f: SEVERITY[f["risk"]])
    for n, f in enumerate(found, 1):
        f["number"] = n
        f["why_none_ru"] = None if f["recommendations"] else NO_RULE_RU[f["kind"]]
        for r in f["recommendations"]:
            r["finding_no"] = n
    return found


SCORE = re.compile(r"→ (\d+) из 100")


def drivers(direction: dict, keep: int = 2) -> str:
    """What drives a direction's score: for a deficit its whole evidence, otherwise its `keep` weakest parts."""
    evidence = direction["evidence_ru"] or ""
    if direction["deficit"] or direction["score"] is None or ": " not in evidence:
        return sentence(evidence)
    parts = [p for p in evidence.split(": ", 1)[1].split("; ") if SCORE.search(p)]
    if len(parts) <= keep:
        return sentence(evidence)
    weakest = sorted(parts, key=lambda p: int(SCORE.search(p).group(1)))[:keep]
    return sentence("слабее всего: " + "; ".join(weakest))


def split_basis(recommendation: dict) -> tuple[str, str | None]:
    """A basis as recommendations/choose.py writes it: what holds, then « Документ: <regulation>.» — the two
    parts, the regulation without its full stop (None when the basis names none)."""
    basis, found, document = (recommendation.get("basis_ru") or "").partition(" Документ: ")
    return basis, (document.rstrip(".") if found else None)


def document_of(recommendation: dict) -> str | None:
    """The regulatory document a recommendation's basis names (after «Документ: »), if any."""
    return split_basis(recommendation)[1]


def cite_documents(recommendations: list[dict]) -> list[str]:
    """The regulations the recommendations name, each once, in order of first use; each recommendation gets the
    number it is cited by (`document_no`). The same long title under every recommendation made documents long."""
    documents = list(dict.fromkeys(d for d in map(document_of, recommendations) if d))
    for r in recommendations:
        document = document_of(r)
        r["document_no"] = documents.index(document) + 1 if document else None
    return documents
