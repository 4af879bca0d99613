"""docs/benchmarks.md from the recorded runs (docs/benchmarks/<scale>.json): ratios against the targets."""
from __future__ import annotations

import json
import math
from pathlib import Path

from bench.run import TARGETS

SCALE_NAMES = {"small": "малый (тест)", "region": "регион", "national": "страна"}


def _n(value: float | int | None, digits: int = 0) -> str:
    if value is None:
        return "—"
    return f"{value:,.{digits}f}".replace(",", " ")


def _ok(passed: bool, miss: str = "") -> str:
    return "✅ выполнено" if passed else f"❌ не выполнено{(' — ' + miss) if miss else ''}"


def figures(run: dict) -> dict:
    """The derived numbers of one run."""
    st = run["stages"]
    ingest = st["ingest"]["result"]
    sources = ingest.get("sources", ingest)  # runs before parallel ingest recorded sources at the top level
    vpr = sources.get("vpr", {})
    rows_total = sum(s["rows_read"] for s in sources.values())
    # Wall time of the ВПР files (they load first after the references, `workers` at a time).
    vpr_wall = vpr.get("wall_seconds", vpr.get("seconds", 0))
    vpr_rate = vpr.get("rows_read", 0) / max(vpr_wall, 1e-9)
    # A run interrupted before a stage (the page says so) has no figure for it.
    copy = st.get("raw_copy", {}).get("result")
    copy_rate = copy["rows"] / max(copy["seconds"], 1e-9) if copy else None
    naive = st.get("naive", {}).get("result")
    naive_rate = naive["rows"] / max(naive["seconds"], 1e-9) if naive else None
    phases = vpr.get("phases", {})
    year_stages = ("ingest", "indicators", "analysis")
    year_seconds = sum(st[k]["seconds"] for k in year_stages) if all(k in st for k in year_stages) else None
    docs = st.get("documents")
    return {
        "rows_total": rows_total, "vpr_rows": vpr.get("rows_read", 0), "vpr_seconds": vpr_wall,
        "workers": ingest.get("workers", 1), "workers_rss": ingest.get("workers_rss_mib"),
        "vpr_rate": vpr_rate, "copy_rate": copy_rate, "naive_rate": naive_rate,
        "copy_share": vpr_rate / copy_rate if copy_rate else None,
        "naive_times": vpr_rate / naive_rate if naive_rate else None, "phases": phases,
        "year_seconds": year_seconds,
        # Files loading at once: their processes' peaks added up.
        "year_rss": max([st[k]["rss_mib"] for k in year_stages if k in st]
                        + [ingest.get("workers_rss_mib") or 0]),
        "end_to_end": (year_seconds or 0) + (docs["seconds"] if docs else 0),
        "docs_rate": (docs["result"]["documents"] / docs["seconds"]) if docs else None,
    }


def _machine_state(run: dict) -> list[str]:
    """How busy the machine was: the load average before the run and as each stage ended; what laid out PDFs."""
    m = run["machine"]
    if "load_average_before" not in m:  # runs recorded before these were
        return []
    ends = ", ".join(f"{name} {_n(stage['load_average_end'], 1)}" for name, stage in run["stages"].items()
                     if stage.get("load_average_end") is not None)
    # The documents stage names its own engine: a resumed run may lay out PDFs with another than the first part.
    engine = (run["stages"].get("documents", {}).get("result") or {}).get("pdf_engine") or m.get("pdf_engine")
    if engine:
        fonts = f"PDF верстает {engine}"
    else:  # runs recorded while WeasyPrint laid out the PDFs
        fonts = ("PDF верстал WeasyPrint, подмножество шрифтов строил HarfBuzz-subset" if m.get("harfbuzz_subset")
                 else "PDF верстал WeasyPrint без HarfBuzz-subset (подмножество шрифтов строил fontTools, медленнее)")
    return [f"Состояние машины: средняя нагрузка за минуту до начала — {_n(m['load_average_before'], 1)} "
            f"при {m['cores']} ядрах; в конце этапов — {ends}; {fonts}.", ""]


def _run_section(run: dict) -> list[str]:
    f, st, m = figures(run), run["stages"], run["machine"]
    lines = [f"## Масштаб: {SCALE_NAMES.get(run['scale'], run['scale'])}", "",
             f"Команда: `{run['command']}` · {run['date']} · {m['cpu']}, {m['cores']} ядра, "
             f"{m['memory_gib']} ГиБ ОЗУ · "
             f"PostgreSQL {run['postgres']} (встроенный) · Python {m['python']}", "", *_machine_state(run),
             f"Строк результатов за год: **{_n(f['rows_total'])}**, из них ВПР {_n(f['vpr_rows'])}.", "",
             "| Этап | Строк | Время, с | Строк/с | Пик RSS, МиБ |", "| --- | ---: | ---: | ---: | ---: |"]
    gen = st["generate"]
    lines.append(f"| Генерация файлов{' (взяты готовые)' if gen.get('reused') else ''} | {_n(gen['result']['rows'])} | "
                 f"{_n(gen['seconds'], 1)} | {_n(gen['result']['rows'] / max(gen['seconds'], 1e-9))} | "
                 f"{_n(gen['rss_mib'])} |")
    at_once = f", {f['workers']} файла одновременно" if f["workers"] > 1 else ""
    rss = _n(st['ingest']['rss_mib']) + (f" на процесс, ≤ {_n(f['workers_rss'])} всего" if f["workers"] > 1 else "")
    lines.append(f"| Загрузка всех источников (чтение + GX + COPY{at_once}) | {_n(f['rows_total'])} | "
                 f"{_n(st['ingest']['seconds'], 1)} | {_n(f['rows_total'] / st['ingest']['seconds'])} | {rss} |")
    lines.append(f"| — из них ВПР | {_n(f['vpr_rows'])} | {_n(f['vpr_seconds'], 1)} | {_n(f['vpr_rate'])} | |")
    for phase, title in (("read", "чтение файла"), ("prepare", "разбор ячеек и производные столбцы"),
                         ("validate", "Great Expectations"), ("load", "COPY и фиксация"),
                         ("keys", "проверка повторов ключей по году (с ожиданием очереди)")):
        sec = f["phases"].get(phase)
        if sec is not None:  # summed over the files (process time, not wall time, when files load at once)
            lines.append(f"| — ВПР: {title}{' (сумма по файлам)' if f['workers'] > 1 else ''} | | {_n(sec, 1)} | "
                         f"{_n(f['vpr_rows'] / max(sec, 1e-9))} | |")
    if "raw_copy" in st:
        copy = st["raw_copy"]
        lines.append(f"| Предел: `psql \\copy` тех же строк ВПР в такую же таблицу | {_n(copy['result']['rows'])} | "
                     f"{_n(copy['result']['seconds'], 1)} | {_n(f['copy_rate'])} | |")
    if "naive" in st:
        naive = st["naive"]
        lines.append(f"| Наивно: `pandas.read_csv` + `to_sql`, ВПР ({naive['result']['files']} файл.), без проверки | "
                     f"{_n(naive['result']['rows'])} | {_n(naive['result']['seconds'], 1)} | {_n(f['naive_rate'])} | "
                     f"{_n(naive['rss_mib'])} |")
    if "gx_sql" in st:
        g = st["gx_sql"]["result"]
        lines.append(f"| Great Expectations в SQL: {g['expectations']} правил по загруженной таблице ВПР года | "
                     f"{_n(g['rows'])} | {_n(g['seconds'], 1)} | {_n(g['rows'] / max(g['seconds'], 1e-9))} | "
                     f"{_n(st['gx_sql']['rss_mib'])} |")
    if "indicators" in st:
        lines.append(f"| Показатели (все уровни) | {_n(st['indicators']['result'].get('values'))} знач. | "
                     f"{_n(st['indicators']['seconds'], 1)} | | {_n(st['indicators']['rss_mib'])} |")
    if "analysis" in st:
        lines.append(f"| Анализ | | {_n(st['analysis']['seconds'], 1)} | | {_n(st['analysis']['rss_mib'])} |")
    if "documents" in st:
        d = st["documents"]
        lines.append(f"| Документы (HTML, PDF, DOCX, отчёты) | {_n(d['result']['documents'])} док. | "
                     f"{_n(d['seconds'], 1)} | "
                     f"{_n(f['docs_rate'], 1)} док./с | {_n(d['rss_mib'])} |")
        if d.get("cpu_seconds"):  # runs recorded before this was measured have none
            cpu, wall = d["cpu_seconds"], d["seconds"]
            lines += ["", f"Документы заняли {_n(cpu, 1)} с процессорного времени (этап и его процессы) за "
                          f"{_n(wall, 1)} с по часам: в среднем {cpu / wall:.2f} ядра из {m['cores']}. Скорость этой "
                          "машины меняется от часа к часу: процессорное время показывает сделанную работу, время по "
                          "часам — как быстро машина её сделала."]
    if run.get("resumed"):
        lines += ["", f"Прогон продолжен (`--resume`, {', '.join(run['resumed'])}) на той же базе: этапы, записанные "
                      "раньше, не повторялись, остальные замерены при продолжении."]
    if not run.get("complete", True):
        lines += ["", f"**Прогон не завершён** (прерван или ещё идёт): записаны этапы {', '.join(st)}; "
                      "остальные не замерены."]
    total = sum(f["phases"].values())
    if total:
        shares = ", ".join(f"{title} — {f['phases'].get(k, 0) / total * 100:.0f} %" for k, title in (
            ("validate", "Great Expectations"), ("prepare", "разбор ячеек"), ("read", "чтение"),
            ("load", "COPY и фиксация"), ("keys", "проверка повторов ключей")) if k in f["phases"])
        lines += ["", f"Куда уходит время загрузки ВПР: {shares}."]
    lines += ["", "| Цель | Факт | Итог |", "| --- | --- | --- |"]
    if f["copy_share"] is not None:
        copy_miss = f"в {TARGETS['copy_share'] / f['copy_share']:.1f} раза медленнее цели"
        lines.append(f"| загрузка ВПР ≥ 50 % скорости `COPY` | {f['copy_share'] * 100:.1f} % | "
                     f"{_ok(f['copy_share'] >= TARGETS['copy_share'], copy_miss)} |")
    if f["naive_times"] is not None:
        naive_miss = f"в {TARGETS['naive_times'] / f['naive_times']:.1f} раза меньше цели"
        lines.append(f"| загрузка ВПР ≥ 10× наивного подхода | {f['naive_times']:.1f}× | "
                     f"{_ok(f['naive_times'] >= TARGETS['naive_times'], naive_miss)} |")
    if run["scale"] == "national" and f["year_seconds"] is not None:
        late = f"на {(f['year_seconds'] - TARGETS['national_seconds']) / 60:.1f} мин дольше"
        lines.append(f"| год страны (загрузка + проверка + показатели + анализ) < 20 мин | "
                     f"{f['year_seconds'] / 60:.1f} мин | "
                     f"{_ok(f['year_seconds'] <= TARGETS['national_seconds'], late)} |")
        over = f"в {f['year_rss'] / TARGETS['national_rss_mib']:.1f} раза больше"
        lines.append(f"| пик памяти < 2 ГиБ | {_n(f['year_rss'])} МиБ | "
                     f"{_ok(f['year_rss'] <= TARGETS['national_rss_mib'], over)} |")
    if run["scale"] == "region" and "documents" in st:
        seconds, target = st["documents"]["seconds"], TARGETS["region_documents_seconds"]
        lines.append(f"| документы региона ≤ {target} с | {_n(seconds, 1)} с | "
                     f"{_ok(seconds <= target, f'на {seconds - target:.1f} с дольше')} |")
        late = f"на {(f['end_to_end'] - TARGETS['region_seconds']) / 60:.1f} мин дольше"
        lines.append(f"| год региона целиком, с документами < 5 мин | {f['end_to_end'] / 60:.1f} мин | "
                     f"{_ok(f['end_to_end'] <= TARGETS['region_seconds'], late)} |")
    return lines + [""]


def _growth(region: dict, national: dict) -> list[str]:
    rows_r, rows_n = figures(region)["rows_total"], figures(national)["rows_total"]
    k = rows_n / rows_r
    lines = ["## Рост от региона к стране", "",
             f"Строк в {k:.0f} раз больше. Показатель роста — log(время)/log(строки): 1 — линейно, "
             "меньше 1 — лучше.", "",
             "| Этап | Регион, с | Страна, с | Рост времени | Показатель роста |",
             "| --- | ---: | ---: | ---: | ---: |"]
    for stage, title in (("ingest", "Загрузка"), ("indicators", "Показатели"), ("analysis", "Анализ")):
        if stage not in region["stages"] or stage not in national["stages"]:
            continue
        a, b = region["stages"][stage]["seconds"], national["stages"][stage]["seconds"]
        lines.append(f"| {title} | {_n(a, 1)} | {_n(b, 1)} | ×{b / a:.1f} | {math.log(b / a) / math.log(k):.2f} |")
    return lines + [""]


def write_report(results: Path, out: Path) -> str:
    runs = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(results.glob("*.json"))}
    lines = ["# Замеры производительности", "",
             "Сгенерировано `bench/report.py` из записанных прогонов `docs/benchmarks/<масштаб>.json` — "
             "числа только из реальных запусков, команда указана в каждом разделе. Каждый этап идёт в своём "
             "процессе; пик памяти — максимум RSS этого процесса (ядро, `wait4`). Сравнение скорости загрузки "
             "делается на одних и тех же строках ВПР: продукт (чтение, разбор, Great Expectations, карантин, COPY), "
             "предел (`psql \\copy` уже готовых строк в такую же таблицу) и то, что пишут вместо продукта "
             "(`pandas.read_csv` + `DataFrame.to_sql`, без какой-либо проверки).", ""]
    for scale in ("region", "national", "small"):
        if scale in runs:
            lines += _run_section(runs[scale])
    if "region" in runs and "national" in runs:
        lines += _growth(runs["region"], runs["national"])
    text = "\n".join(lines)
    out.write_text(text, encoding="utf-8")
    return text
