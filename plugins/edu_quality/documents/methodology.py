"""docs/methodology.md — the Russian methodology page, rendered from include/templates/methodology.md.j2
with a context assembled here from include/analysis/settings.yaml, the indicator catalogue
(sql/indicators), the constants of the analysis and the strength of the inflation the analysis claims to
detect (objectivity.claimed_detection, which the tests plant), so that every threshold the code uses is
on the page and the page cannot drift from the code.

    .venv/bin/python -m edu_quality.documents.methodology      # rewrites docs/methodology.md
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from edu_quality.analysis import expertise as ex
from edu_quality.analysis import head_effectiveness as he
from edu_quality.analysis import municipalities as mu
from edu_quality.analysis import objectivity as ob
from edu_quality.analysis import practices as pr
from edu_quality.analysis.metrics import ANALYSIS_METRICS, SCHOOL_FIELDS
from edu_quality.analysis.names import rests_on_vpr
from edu_quality.analysis.settings import load_settings, metric_source
from edu_quality.config import PATHS
from edu_quality.documents.templating import markdown_environment
from edu_quality.formatting import exact, num

METHODOLOGY_PATH = PATHS.root / "docs" / "methodology.md"
# The agreement with the official Moscow rating, as `edu-quality agreement --record` wrote it.
RATING_AGREEMENT_PATH = PATHS.root / "docs" / "rating_agreement.json"
# The objectivity analysis's measured accuracy on generated regions, as `edu-quality accuracy --record` wrote it.
OBJECTIVITY_ACCURACY_PATH = PATHS.root / "docs" / "objectivity_accuracy.json"
TEMPLATE = "methodology.md.j2"
MIGRATION = PATHS.migrations / "005_analysis.sql"
# Migrations after 005 whose mart views the page lists too (a later comment on a view replaces the earlier one).
LATER_MIGRATIONS = ("*_municipal_monitoring.sql", "*_management_cycle.sql", "*_objectivity_estimates.sql")
POLARITY_RU = {"higher_better": "чем больше, тем лучше", "lower_better": "чем меньше, тем лучше",
               "neutral": "без направления"}


def _catalogue() -> dict:
    from edu_quality.indicators.catalog import load_catalog

    return {i.code: i for i in load_catalog()}


def _indicator(code: str, cat: dict) -> str:
    i = cat.get(code)
    if i is None:
        return f"`{code}` — *нет в каталоге показателей: при расчёте «нет данных»*"
    return f"`{code}` — {i.name_ru}, {i.unit} ({POLARITY_RU[i.polarity]})"


def _metric(spec: dict, cat: dict) -> str:
    source, code = metric_source(spec)
    if source == "indicator":
        return _indicator(code, cat)
    if source == "school":
        name, unit = SCHOOL_FIELDS[code]
        return f"поле schools.* `{code}` — {name}, {unit}"
    name, unit, polarity = ANALYSIS_METRICS[code]
    return f"аналитическая величина `{code}` — {name}, {unit} ({POLARITY_RU[polarity]})"


def _threshold(spec: dict) -> str:
    side = "выше" if spec["risk_when"] == "high" else "ниже"
    if "value" in spec:
        return f"в зоне риска, если строго {side} {exact(spec['value'])}"
    return f"в зоне риска, если строго {side} {exact(spec['percentile'])}-го процентиля по ОО региона"


def _views() -> list[tuple[str, str]]:
    files = [MIGRATION] + [f for pattern in LATER_MIGRATIONS for f in sorted(PATHS.migrations.glob(pattern))]
    found: dict[str, str] = {}
    for file in files:
        body = file.read_text(encoding="utf-8")
        for view, comment in re.findall(r"comment on view (mart\.\w+) is\s*((?:'(?:[^']|'')*'\s*)+);", body):
            found[view] = "".join(re.findall(r"'((?:[^']|'')*)'", comment))
    return list(found.items())


def _table_rows(items: list[dict], cat: dict, describe) -> list[dict]:
    """A risk factor's or a direction's row: its metrics described, or why there is no data."""
    rows = []
    for item in items:
        if not item.get("metrics"):
            text = f"нет данных: {item['no_data_ru']}"
        else:
            text = "<br>".join(describe(m, cat) for m in item["metrics"])
            if item.get("note_ru"):
                text += f"<br>*{item['note_ru']}*"
        rows.append({"code": item["code"], "name_ru": item["name_ru"], "text": text})
    return rows


def _risk_metric(spec: dict, cat: dict) -> str:
    return f"{_metric(spec, cat)}: {_threshold(spec)}"


def _direction_metric(spec: dict, cat: dict) -> str:
    return ((f"{spec['part']}: " if spec.get("part") else "") + _metric(spec, cat)
            + f" — оценка `{spec.get('score', 'percentile')}`")


def _ranking(codes: list[str], cat: dict) -> list[str]:
    lines = []
    for code in codes:
        if code in mu.ANALYSIS_INDICATORS:
            name, pol, unit = mu.ANALYSIS_INDICATORS[code]
            line = f"`{code}` — {name}, {unit} ({POLARITY_RU[pol]}; считает аналитический слой)"
        else:
            line = _indicator(code, cat)
        source = mu.ANALYSIS_SOURCES.get(code) or getattr(cat.get(code), "source", "")
        lines.append(line + (" — **построен на ВПР**" if rests_on_vpr(source) else ""))
    return lines


def _codes(codes) -> str:
    return ", ".join(f"`{c}`" for c in codes)


def methodology_context(settings: dict | None = None) -> dict:
    """Everything the page shows: the settings' sections as they are, plus what the code contributes."""
    from edu_quality.analysis.measure_effects import targets
    from edu_quality.recommendations.catalogue import rule_conditions

    s = settings or load_settings()
    cat = _catalogue()
    sections = {"g": "general", "o": "objectivity", "lr": "low_results", "uc": "unfavorable_conditions",
                "h": "head_effectiveness", "sp": "successful_practices", "c": "clusters", "me": "measure_effects"}
    m = s["municipalities"]
    return {
        **{short: s[name] for short, name in sections.items()},
        "claim": s["objectivity"]["claimed_detection"], "nm": s["clusters"]["naming"],
        "er": m["expert_review"], "cr": m["correlations"],
        "signals": {code: signal[1] for code, signal in ob.SIGNALS.items()},
        "context_fields": _codes(ob.CONTEXT_FIELDS), "selective_types": ", ".join(ob.SELECTIVE_TYPES),
        "special_types": ", ".join(ob.SPECIAL_TYPES),
        "procedures": [{"name_ru": p["name_ru"], "indicators": "; ".join(_indicator(c, cat) for c in p["indicators"])}
                       for p in s["low_results"]["procedures"]],
        "risk_factors": _table_rows(s["risk_profile"]["factors"], cat, _risk_metric),
        "directions": _table_rows(s["head_effectiveness"]["directions"], cat, _direction_metric),
        "objectivity_score": he.OBJECTIVITY_SCORE, "objectivity_score_suspected": he.OBJECTIVITY_SCORE_SUSPECTED,
        "practices": pr.PRACTICES,
        "school_features": _codes(s["clusters"]["schools"]["features"]),
        "municipality_features": _codes(s["clusters"]["municipalities"]["features"]),
        "ranking": _ranking(m["ranking_indicators"], cat), "m_use_vpr": m.get("use_vpr", True),
        "head_vpr_weight": num(he.vpr_weight(s["head_effectiveness"]), 1),
        "targets": [(code, _indicator(ind, cat)) for code, ind in sorted(targets(s, rule_conditions()).items())],
        "views": [(view, comment.replace("''", "'")) for view, comment in _views()],
        "mrp": s["municipal_risk_profile"], "tg": s["targets"], "mechanisms": s["management_cycle"]["mechanisms"],
        "municipal_risks": [(code, name.format(**s["municipal_risk_profile"])) for code, name in ex.RISK_NAMES.items()],
        "rating_agreement": (json.loads(RATING_AGREEMENT_PATH.read_text(encoding="utf-8"))
                             if RATING_AGREEMENT_PATH.exists() else None),
        "accuracy": (json.loads(OBJECTIVITY_ACCURACY_PATH.read_text(encoding="utf-8"))
                     if OBJECTIVITY_ACCURACY_PATH.exists() else None),
    }


def render_methodology(settings: dict | None = None) -> str:
    return markdown_environment().get_template(TEMPLATE).render(**methodology_context(settings))


def write_methodology(path: Path | None = None) -> Path:
    path = path or METHODOLOGY_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_methodology(), encoding="utf-8", newline="\n")
    return path


if __name__ == "__main__":
    print(write_methodology(Path(sys.argv[1]) if len(sys.argv) > 1 else None))
