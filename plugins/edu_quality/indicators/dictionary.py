"""The data dictionary: the indicator catalogue in Russian, as Markdown and as a simple HTML page.

Generated from sql/indicators/*/metadata.yaml and _not_computable.yaml (`edu-quality catalog`), so the
dictionary methodologists read and the SQL that computes the numbers cannot drift apart. The same
catalogue always gives byte-identical files.
"""
from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from edu_quality.formatting import exact
from edu_quality.indicators.catalog import Indicator, load_catalog, load_not_computable

MARKDOWN_FILE = "indicators.md"
HTML_FILE = "indicators.html"
TITLE = "Словарь показателей мониторинга качества образования"

POLARITY_RU = {
    "higher_better": "чем выше, тем лучше",
    "lower_better": "чем ниже, тем лучше",
    "neutral": "контекстный, без оценки",
}
AGGREGATION_RU = {
    "ratio_of_sums": "отношение сумм числителей и знаменателей ОО",
    "share_of_schools": "доля ОО (у ОО 1 или 0 из 1)",
    "mean_of_schools": "среднее значений ОО",
    "median_of_schools": "медиана значений ОО",
    "difference_of_ratios": "разность двух отношений сумм по ОО",
    "sum_of_schools": "сумма значений ОО",
}
SOURCE_RU = {
    "vpr": "ВПР",
    "gia": "ГИА: ОГЭ, ЕГЭ",
    "gia_thresholds": "минимальные баллы ГИА",
    "schools": "справочник ОО",
    "self_evaluation": "самообследование",
    "teachers": "педагогические работники",
    "olympiads": "ВсОШ",
    "measures": "меры по рекомендациям",
    "moscow_ege": "ЕГЭ по ОО Москвы (открытые данные)",
}
LEGEND = (
    "Значения рассчитываются для каждой образовательной организации (ОО), муниципального образования (МО) и "
    "региона в SQL по данным хранилища (`mart.indicator_values`); доли — в процентах от 0 до 100. Если знаменатель "
    "ОО меньше минимального, значение ОО не рассчитывается, но её числитель и знаменатель входят в суммы МО и "
    "региона.",
    "Способы расчёта на уровнях МО и региона: " + "; ".join(
        f"`{k}` — {v}" for k, v in AGGREGATION_RU.items()) + ".",
    "Пороги риска: для показателей «чем ниже, тем лучше» зона риска — значение не ниже порога, для показателей "
    "«чем выше, тем лучше» — не выше порога; у контекстных показателей порогов нет.",
)


@dataclass(frozen=True)
class Direction:
    code: str
    name_ru: str
    indicators: tuple[Indicator, ...]
    not_computable: tuple[dict, ...]


def _code_key(code: str) -> tuple[int, ...]:
    return tuple(int(p) if p.isdigit() else 0 for p in code.split("."))


def directions(catalog: list[Indicator], not_computable: list[dict]) -> list[Direction]:
    names: dict[str, str] = {}
    for ind in catalog:
        names.setdefault(ind.direction_code, ind.direction_name_ru)
    for item in not_computable:
        if item["direction_code"] not in names:
            if not item.get("direction_name_ru"):
                raise ValueError(f"_not_computable.yaml: {item['code']}: direction {item['direction_code']} has no "
                                 f"computed indicator; give its direction_name_ru")
            names[item["direction_code"]] = item["direction_name_ru"]
    return [Direction(code, names[code],
                      tuple(sorted((i for i in catalog if i.direction_code == code), key=lambda i: i.code)),
                      tuple(sorted((n for n in not_computable if n["direction_code"] == code),
                                   key=lambda n: n["code"])))
            for code in sorted(names, key=_code_key)]


def thresholds_ru(ind: Indicator) -> str:
    if not ind.thresholds or ind.polarity == "neutral":
        return "—"
    sign = "≥" if ind.polarity == "lower_better" else "≤"
    parts = []
    for key, label in (("risk_high", "высокий"), ("risk_medium", "средний")):
        if key in ind.thresholds:
            parts.append(f"{label} {sign} {exact(float(ind.thresholds[key]), typographic=False)}")
    return "; ".join(parts)


def sources_ru(source: str) -> str:
    return ", ".join(f"{SOURCE_RU.get(s.strip(), s.strip())} ({s.strip()})" for s in source.split(","))


def _rows(direction: Direction) -> Iterable[list[str]]:
    for ind in direction.indicators:
        yield [ind.code, ind.name_ru, ind.unit, POLARITY_RU[ind.polarity], ind.formula_ru, sources_ru(ind.source),
               AGGREGATION_RU[ind.aggregation], str(ind.min_denominator), thresholds_ru(ind)]


HEADERS = ["Код", "Показатель", "Ед.", "Полярность", "Формула", "Источник", "МО и регион", "Мин. знаменатель",
           "Пороги риска"]
NOT_COMPUTABLE_HEADERS = ["Код", "Показатель", "Каких данных не хватает"]


def _md_cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _md_table(headers: list[str], rows: Iterable[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join(" --- " for _ in headers) + "|"]
    lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
    return lines


def render_markdown(catalog: list[Indicator], not_computable: list[dict]) -> str:
    dirs = directions(catalog, not_computable)
    out = [f"# {TITLE}", "",
           "<!-- Сформировано командой `edu-quality catalog` из sql/indicators/; не редактируйте вручную. -->", "",
           f"Показателей в каталоге: {len(catalog)}; направлений: {sum(1 for d in dirs if d.indicators)}. "
           f"Не рассчитываются по данным контракта: {len(not_computable)}.", ""]
    for paragraph in LEGEND:
        out += [paragraph, ""]
    out += ["## Содержание", ""]
    out += [f"- {d.code} {d.name_ru} — показателей: {len(d.indicators)}"
            + (f", не рассчитываемых: {len(d.not_computable)}" if d.not_computable else "") for d in dirs]
    out.append("")
    for d in dirs:
        out += [f"## {d.code} {d.name_ru}", ""]
        if d.indicators:
            out += _md_table(HEADERS, _rows(d)) + [""]
            notes = [i for i in d.indicators if i.notes_ru]
            if notes:
                out += ["Примечания:", ""]
                out += [f"- `{i.code}`: {_md_cell(i.notes_ru)}" for i in notes]
                out.append("")
        if d.not_computable:
            out += ["Не рассчитываются по данным контракта (нужны дополнительные источники):", ""]
            out += _md_table(NOT_COMPUTABLE_HEADERS,
                             ([n["code"], n["name_ru"], n["data_needed_ru"]] for n in d.not_computable)) + [""]
    return "\n".join(out).rstrip("\n") + "\n"


_CSS = """body{font-family:"DejaVu Sans",Arial,sans-serif;font-size:13px;margin:24px;color:#222}
h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ccc}
table{border-collapse:collapse;width:100%;margin:8px 0 12px}
th,td{border:1px solid #bbb;padding:4px 6px;vertical-align:top;text-align:left}
th{background:#eef2f6}code{font-size:12px}td.code{white-space:nowrap;font-family:monospace}
p.legend{color:#444}ul.notes li{margin:3px 0}"""


def _html_table(headers: list[str], rows: Iterable[list[str]]) -> list[str]:
    e = html.escape
    out = ["<table>", "<tr>" + "".join(f"<th>{e(h)}</th>" for h in headers) + "</tr>"]
    for row in rows:
        cells = [f'<td class="code">{e(row[0])}</td>'] + [f"<td>{e(c)}</td>" for c in row[1:]]
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table>")
    return out


def render_html(catalog: list[Indicator], not_computable: list[dict]) -> str:
    e = html.escape
    dirs = directions(catalog, not_computable)
    out = ["<!DOCTYPE html>", '<html lang="ru">', "<head>", '<meta charset="utf-8">', f"<title>{e(TITLE)}</title>",
           f"<style>{_CSS}</style>", "</head>", "<body>",
           "<!-- Сформировано командой edu-quality catalog из sql/indicators/; не редактируйте вручную. -->",
           f"<h1>{e(TITLE)}</h1>",
           f"<p>Показателей в каталоге: {len(catalog)}; направлений: {sum(1 for d in dirs if d.indicators)}. "
           f"Не рассчитываются по данным контракта: {len(not_computable)}.</p>"]
    for paragraph in LEGEND:
        out.append(f'<p class="legend">{e(paragraph.replace("`", ""))}</p>')
    out.append("<ul>")
    out += [f'<li><a href="#d{e(d.code)}">{e(d.code)} {e(d.name_ru)}</a> — показателей: {len(d.indicators)}'
            + (f", не рассчитываемых: {len(d.not_computable)}" if d.not_computable else "") + "</li>" for d in dirs]
    out.append("</ul>")
    for d in dirs:
        out.append(f'<h2 id="d{e(d.code)}">{e(d.code)} {e(d.name_ru)}</h2>')
        if d.indicators:
            out += _html_table(HEADERS, _rows(d))
            notes = [i for i in d.indicators if i.notes_ru]
            if notes:
                out.append('<p>Примечания:</p><ul class="notes">')
                out += [f"<li><code>{e(i.code)}</code>: {e(i.notes_ru)}</li>" for i in notes]
                out.append("</ul>")
        if d.not_computable:
            out.append("<p>Не рассчитываются по данным контракта (нужны дополнительные источники):</p>")
            out += _html_table(NOT_COMPUTABLE_HEADERS,
                               ([n["code"], n["name_ru"], n["data_needed_ru"]] for n in d.not_computable))
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"


def write_dictionary(out_dir: Path, root: Path | None = None) -> list[Path]:
    """Write indicators.md and indicators.html into out_dir; return their paths."""
    catalog, not_computable = load_catalog(root), load_not_computable(root)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in ((MARKDOWN_FILE, render_markdown(catalog, not_computable)),
                       (HTML_FILE, render_html(catalog, not_computable))):
        path = out_dir / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
