"""docs/methodology.md — the Russian methodology page, generated from include/analysis/settings.yaml, the
indicator catalogue (sql/indicators), the constants of this package and the strength of the inflation the
analysis claims to detect (objectivity.claimed_detection, which the tests plant), so that every threshold the code uses is on the
page and the page cannot drift from the code.

    .venv/bin/python -m edu_quality.documents.methodology      # rewrites docs/methodology.md
"""
from __future__ import annotations

import re
import sys
from pathlib import Path
from types import SimpleNamespace

from edu_quality.config import PATHS

from edu_quality.analysis import head_effectiveness as he
from edu_quality.analysis import municipalities as mu
from edu_quality.analysis import objectivity as ob
from edu_quality.analysis import practices as pr
from edu_quality.analysis.metrics import ANALYSIS_METRICS, SCHOOL_FIELDS
from edu_quality.analysis.settings import load_settings, metric_source
from edu_quality.formatting import exact, whole_percent

METHODOLOGY_PATH = PATHS.root / "docs" / "methodology.md"
MIGRATION = PATHS.migrations / "005_analysis.sql"
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
    body = MIGRATION.read_text(encoding="utf-8")
    return re.findall(r"comment on view (mart\.\w+) is\s*'((?:[^']|'')*)'", body)


def render_methodology(settings: dict | None = None) -> str:
    s = settings or load_settings()
    cat = _catalogue()
    g, o = s["general"], s["objectivity"]
    claim = o["claimed_detection"]
    an = SimpleNamespace(**{k.upper(): tuple(v) if isinstance(v, list) else v for k, v in claim.items()})
    L: list[str] = []
    add = L.append
    add("# Методика аналитического слоя мониторинга качества образования")
    add("")
    add("> Страница собрана автоматически из `include/analysis/settings.yaml`, каталога показателей "
        "(`sql/indicators`) и констант кода `plugins/edu_quality/analysis`. Не правьте её вручную: измените "
        "параметры в settings.yaml и выполните `.venv/bin/python -m edu_quality.documents.methodology` "
        "(тест `tests/analysis/test_methodology.py` проверяет, что страница не устарела).")
    add("")
    add("Расчёт за год выполняет `analyse_year(engine, год)` после расчёта показателей: он заново вычисляет все "
        "выводы года и в одной транзакции заменяет строки года в таблицах core (миграция "
        "`sql/migrations/005_analysis.sql`). Аналитики читают результаты через представления схемы `mart`.")
    add("")
    add("## Общие правила")
    add("")
    add(f"- **Минимальная группа** — {g['min_participants']} работ (участников). В группе меньше вывод не "
        "делается: сигнал не срабатывает, в выводе написано «недостаточно участников».")
    add(f"- **Статистическая значимость**: сигнал срабатывает, только если отклонение и велико (за порогом), и "
        f"маловероятно как случайность выборки — односторонняя проверка на уровне α = {exact(g['alpha'])}.")
    add(f"- **Модель по ОО региона** (ожидаемое значение по социальному контексту, по ОГЭ, по прошлому году) "
        f"строится методом наименьших квадратов, если ОО с достаточной группой не меньше {g['min_schools_model']}. "
        "Отклонение ОО делится на √(τ² + σ²ᵢ): σ²ᵢ — выборочная дисперсия доли самой ОО, τ² — разброс между ОО, "
        "оставшийся после выборочного: max(0, Σостаток²/(n − p − 1) − среднее σ²ᵢ). Поэтому малой ОО нужно "
        "большее отклонение, а обычные различия между когортами и классами не принимаются за сигнал.")
    add("- **Процентильный ранг** ОО по показателю — доля остальных ОО региона с худшим значением (0–100, при "
        "равенстве — средний ранг), с учётом полярности показателя: 100 — лучшее значение в регионе.")
    add("- **Нет данных**: показатель, которого нет в каталоге, или значение, которого нет у ОО, — это «нет данных», "
        "а не ноль; выводы, для которых данных нет, остаются пустыми (null) с пояснением «нет данных: …».")
    add("- Доли — в процентах (0–100), в хранилище не округляются; в текстах выводов — с десятичной запятой.")
    add("")

    add("## 1. Объективность результатов ВПР")
    add("")
    add("Сигналы считаются по каждой ОО, предмету и параллели (`mart.objectivity_signals`). Виды сигналов "
        "независимы: каждый опирается на свой источник свидетельств.")
    add("")
    add("| вид | сигнал | что измеряет | когда срабатывает |")
    add("| --- | --- | --- | --- |")
    jl, jg, bp = o["journal_lowered"], o["journal_gap_2plus"], o["boundary_peak"]
    add(f"| journal | `journal_lowered` | {ob.SIGNALS['journal_lowered'][1]} | доля ≤ {exact(jl['ratio_max'])} × доли "
        "по региону (тот же предмет и параллель), биномиальная проверка p < α |")
    add(f"| journal | `journal_gap_2plus` | {ob.SIGNALS['journal_gap_2plus'][1]} | доля ≥ max({exact(jg['ratio_min'])} × "
        f"доли по региону; {exact(jg['min_value'])} %), биномиальная проверка p < α |")
    add("| journal | `journal_confirmed`, `journal_raised` | доли подтвердивших и повысивших отметку по журналу | "
        "справочно, без порога (не срабатывают) |")
    add(f"| boundary | `boundary_peak` | {ob.SIGNALS['boundary_peak'][1]}: работ с первичным баллом b…b+1 к работам "
        "b−2…b−1 и b+2…b+3 по трём границам отметок («3», «4», «5») | отношение ОО к региональному ≥ "
        f"{exact(bp['ratio_min'])}, биномиальная проверка доли работ «у границы» в окне p < α; в окнах не меньше "
        f"{bp['min_window']} работ |")
    add(f"| context | `context_residual` | {ob.SIGNALS['context_residual'][1]} | z ≥ {exact(o['context_residual']['z_min'])} "
        "(модель по ОО региона, признаки контекста ниже; z — сам критерий, отдельной проверки α нет) |")
    add(f"| oge | `vpr_vs_oge` | доля «4» и «5» ВПР {o['vpr_vs_oge']['grade']} класса выше ожидаемой по доле «4» и «5» "
        "ОГЭ того же предмета (модель по ОО региона), п. п. | превышение ≥ "
        f"{exact(o['vpr_vs_oge']['excess_min_pp'])} п. п. и p < α |")
    add(f"| jump | `jump` | доля «4» и «5» по предмету и параллели выше ожидаемой по прошлогодней (модель по ОО "
        f"региона), п. п. | превышение ≥ {exact(o['jump']['excess_min_pp'])} п. п. и p < α |")
    add("")
    add(f"- Контекст в модели `context_residual`: {', '.join(f'`{c}`' for c in ob.CONTEXT_FIELDS)} (пропуск — "
        "медиана региона), признак «отбирающей» ОО (" + ", ".join(ob.SELECTIVE_TYPES) + ") и признак ОО особого "
        "типа (" + ", ".join(ob.SPECIAL_TYPES) + ").")
    add(f"- ВПР и ОГЭ сравниваются для одной когорты: ВПР {o['vpr_vs_oge']['grade']} класса прошлого года с ОГЭ "
        "этого года, если прошлый год загружен; иначе — ВПР того же года (другая когорта, это указано в выводе). "
        "ОГЭ: по каждому участнику и предмету засчитывается первая действительная попытка, аннулированные "
        "результаты не учитываются.")
    add("- Скачок к прошлому году считается, только если прошлый год загружен; иначе в выводе по виду jump "
        "написано «предыдущий год не загружен».")
    add(f"- **Вид сигналов согласуется** для ОО, если сигналы этого вида сработали не менее чем в "
        f"{exact(o['rollup']['min_share_of_groups'])} % её оценённых групп (предмет × параллель) и не менее чем в "
        f"min({o['rollup']['min_groups']}; число оценённых групп) группах, но хотя бы в одной "
        "(`mart.objectivity_verdicts`).")
    add(f"- **ОО с признаками необъективности результатов** (`biased_results_suspected`): согласуются не менее "
        f"{o['suspected_min_kinds']} видов сигналов. Один вид сам по себе признаком не считается: высокий результат "
        "в сложном контексте может быть и успешной практикой. Свидетельства сохраняются в `biased_evidence_ru`.")
    add("- **Какое завышение метод выявляет.** Проверка (`tests/analysis`) добавляет в сгенерированный регион ещё "
        f"одну ОО ({', '.join(an.SCHOOL_TYPES)}; не меньше {an.SCHOOL_MIN_STUDENTS} обучающихся; доля работ ВПР с "
        f"отметками «4» и «5» в прошлом году не выше {exact(an.ROOM_MAX_QUALITY)} %) с ВПР, завышенными "
        f"так, как это делает снисходительный проверяющий: {an.BONUS_POINTS[0]}–{an.BONUS_POINTS[1]} первичных балла "
        f"сверх заслуженных у {whole_percent(an.BONUS_SHARE[0])}–{whole_percent(an.BONUS_SHARE[1])} % работ и «дотягивание» до границы "
        f"отметки у {whole_percent(an.PUSH_SHARE[0])}–{whole_percent(an.PUSH_SHARE[1])} % работ, которым до неё не хватает "
        f"1–{an.PUSH_GAP} баллов; отметки по журналу не меняются. Метод рассчитан на завышение не слабее нижних "
        f"границ этих диапазонов (+{an.BONUS_POINTS[0]} балла у {whole_percent(an.BONUS_SHARE[0])} % работ и дотягивание у "
        f"{whole_percent(an.PUSH_SHARE[0])} % работ): при загруженном прошлом годе такая ОО признаётся ОО с признаками "
        "необъективности. Завышение слабее этого, завышение у ОО с группами меньше минимальной и у ОО, где «4» и «5» "
        f"и без завышения получают больше {exact(an.ROOM_MAX_QUALITY)} % работ (завышать почти некуда: отметки почти не "
        "меняются), метод может не заметить.")
    add("")

    lr, uc = s["low_results"], s["unfavorable_conditions"]
    add("## 2. ОО с низкими результатами и ОО в неблагоприятных социальных условиях")
    add("")
    add(f"Результат ОО по процедуре — среднее процентильных рангов показателей процедуры (показатель учитывается, "
        f"если в знаменателе не меньше {g['min_participants']} участников):")
    add("")
    for p in lr["procedures"]:
        add(f"- **{p['name_ru']}**: " + "; ".join(_indicator(c, cat) for c in p["indicators"]) + ".")
    add("")
    add("- **Сводный результат** (`results_score`, 0–100) — среднее результатов процедур, по которым у ОО есть "
        "результат.")
    add(f"- **ОО с низкими результатами** (`low_results`): сводный результат не выше {exact(lr['percentile'])}-го "
        "процентиля сводных результатов ОО региона (нижний хвост распределения). Без результатов процедур — «нет "
        "данных» (null). Контекст на этот вывод не влияет: это отдельный вывод ниже. В обосновании названы "
        f"процедуры, по которым результат ОО не выше {exact(lr['percentile'])}-го процентиля этой процедуры "
        "(`procedures_low`).")
    add("- `context_residual_z` — отклонение сводного результата от ожидаемого по контексту (та же модель "
        "контекста, что для сигнала `context_residual`), в устойчивых стандартных отклонениях "
        "(1,4826 × медиана абсолютных отклонений).")
    add("")
    add("**Неблагоприятные социальные условия** (`unfavorable_conditions`) — признаки:")
    add("")
    for field, name in uc["social_fields"].items():
        add(f"- признак контингента: {name} (`{field}`) не ниже {exact(uc['percentile'])}-го процентиля по ОО региона "
            "(и больше нуля);")
    add("- сельская местность (`Местность` = сельская);")
    add(f"- малокомплектная ОО: не больше {uc['small_school_max_students']} обучающихся.")
    add("")
    add(f"ОО в неблагоприятных условиях, если признаков не меньше {uc['min_signs']}, из них признаков контингента не "
        f"меньше {uc['min_social_signs']}. Без сведений о контингенте — «нет данных» (null).")
    add("")

    add("## 3. Рисковый профиль ОО")
    add("")
    add("Для каждой ОО — факторы риска (`mart.school_risk_profile`). Фактор в зоне риска, если в зоне риска хотя "
        "бы один его показатель; если ни у одного показателя нет значения — «нет данных» (null). Процентиль "
        "берётся по ОО региона, у которых значение есть. В обосновании — значение ОО, порог и медиана региона.")
    add("")
    add("| код | фактор риска | показатели и правило |")
    add("| --- | --- | --- |")
    for f in s["risk_profile"]["factors"]:
        if not f.get("metrics"):
            rule = f"нет данных: {f['no_data_ru']}"
        else:
            rule = "<br>".join(f"{_metric(m, cat)}: {_threshold(m)}" for m in f["metrics"])
            if f.get("note_ru"):
                rule += f"<br>*{f['note_ru']}*"
        add(f"| {f['code']} | {f['name_ru']} | {rule} |")
    add("")

    h = s["head_effectiveness"]
    add("## 4. Эффективность руководителей ОО")
    add("")
    add("Девять направлений мониторинга эффективности руководителей (`mart.head_effectiveness`). Оценка показателя: "
        "процентильный ранг среди ОО региона с учётом полярности (`percentile`) или само значение доли (`value`); "
        "оценка направления — среднее по частям, часть — среднее её показателей с данными. "
        f"Интегральная оценка (`head_effectiveness_score`, 0–100) — среднее оценок направлений, если направлений с "
        f"данными не меньше {h['min_directions']}. Направление с оценкой ниже {exact(h['deficit_below'])} — "
        "**профессиональный дефицит** руководителя.")
    add("")
    add("| код | направление | показатели |")
    add("| --- | --- | --- |")
    for d in h["directions"]:
        if not d.get("metrics"):
            text = f"нет данных: {d['no_data_ru']}"
        else:
            text = "<br>".join(
                (f"{m['part']}: " if m.get("part") else "") + _metric(m, cat)
                + f" — оценка `{m.get('score', 'percentile')}`" for m in d["metrics"])
            if d.get("note_ru"):
                text += f"<br>*{d['note_ru']}*"
        add(f"| {d['code']} | {d['name_ru']} | {text} |")
    add("")
    add(f"- Оценка объективности (`objectivity_score`): {exact(he.OBJECTIVITY_SCORE[0])} — виды сигналов не "
        f"согласуются; {exact(he.OBJECTIVITY_SCORE[1])} — согласуется один вид; {exact(he.OBJECTIVITY_SCORE_SUSPECTED)} — "
        "признаки необъективности.")
    add(f"- Специалисты сопровождения обучающихся с ОВЗ — должности: {', '.join(h['ovz_specialist_positions'])}; "
        "на 100 обучающихся с ОВЗ (численность × доля ОВЗ).")
    add("- Доля рекомендаций прошлого года, по которым приняты меры: рекомендации ОО за прошлый год "
        "(core.recommendation), по которым в measures.* этого года есть хотя бы одна мера.")
    add("")

    sp = s["successful_practices"]
    add("## 5. Успешные практики")
    add("")
    add(f"- **P1 — {pr.PRACTICES['P1']}**: ОО в неблагоприятных условиях или сельская, сводный результат не ниже "
        f"{exact(sp['min_results_score'])} и выше ожидаемого по контексту не менее чем на "
        f"{exact(sp['context_residual_z_min'])} σ, ни один вид сигналов необъективности не согласуется.")
    add(f"- **P2 — {pr.PRACTICES['P2']}**: сводный результат (процентильный ранг, то есть относительно региона) рос "
        f"каждый год за последние {sp['trend_years']} года (нужны загруженные данные всех этих лет) и вырос в сумме "
        f"не меньше чем на {exact(sp['trend_min_gain'])} пунктов; ни один вид сигналов необъективности не согласуется.")
    add("")

    c = s["clusters"]
    nm = c["naming"]
    add("## 6. Кластеры ОО и МО")
    add("")
    add(f"Признаки стандартизуются (z по единицам; пропуск — среднее, z = 0) и ограничиваются ±{exact(c['clip_z'])}, "
        "чтобы одна крайняя единица не образовала отдельный кластер. Метод k-средних: начальные центры "
        f"k-means++, фиксированное зерно {c['seed']}, {c['n_init']} запусков (не больше {c['max_iter']} итераций), "
        "из них — с наименьшей внутрикластерной суммой квадратов. Число кластеров k — с наибольшим средним "
        "силуэтом среди допустимых. Номера кластеров упорядочены по результатам центра: 1 — наиболее высокие.")
    add("")
    add(f"- **ОО**: k от {c['schools']['k_min']} до {c['schools']['k_max']}; признаки: "
        + ", ".join(f"`{f}`" for f in c["schools"]["features"]) + ".")
    add(f"- **МО**: k от {c['municipalities']['k_min']} до {c['municipalities']['k_max']}, если МО не меньше "
        f"{c['municipalities']['min_units']}; признаки (значения по МО): "
        + ", ".join(f"`{f}`" for f in c["municipalities"]["features"]) + ".")
    add(f"- Название по центру: «сельские», если доля сельских ОО не меньше {exact(nm['rural_share'] * 100)} %, иначе "
        f"«городские»; «малокомплектные», если медиана численности не больше {nm['small_students']}, «крупные» — "
        f"не меньше {nm['large_students']}; «с высокими результатами» при z результатов центра не ниже "
        f"{exact(nm['results_high_z'])}, «с низкими» — не выше {exact(nm['results_low_z'])}, иначе «со средними»; признак "
        f"контингента с z центра не ниже {exact(nm['context_high_z'])} добавляется («с высокой долей …»).")
    add("")

    m = s["municipalities"]
    add("## 7. Муниципалитеты")
    add("")
    add("**Рейтинг** (`mart.municipality_status`): каждый показатель стандартизуется по МО (z с учётом полярности: "
        "больше — лучше), рейтинговый балл — среднее z по показателям, которые есть у МО; место 1 — лучшее. "
        "Показатели мотивирующего мониторинга:")
    add("")
    for code in m["ranking_indicators"]:
        if code in mu.ANALYSIS_INDICATORS:
            name, pol, unit = mu.ANALYSIS_INDICATORS[code]
            add(f"- `{code}` — {name}, {unit} ({POLARITY_RU[pol]}; считает аналитический слой)")
        else:
            add(f"- {_indicator(code, cat)}")
    add("")
    er = m["expert_review"]
    add(f"**Отбор на углублённую экспертизу**: МО с наименьшим рейтинговым баллом — не больше {er['count']} и не "
        f"больше {exact(er['max_share'])} % всех МО (с округлением вниз), но не меньше одного (при двух МО и больше).")
    add("")
    add("**Разрывы** (`mart.municipality_indicator_gaps`): значение МО − значение региона; в стандартных "
        "отклонениях между МО со знаком полярности (больше нуля — лучше региона); место МО по показателю.")
    add("")
    cr = m["correlations"]
    add(f"**Связь показателей** (`mart.municipality_correlations`): корреляция Пирсона по ОО МО (не меньше "
        f"{cr['min_schools']} ОО со значениями обоих показателей) и по всем ОО региона; связь «заметно слабее», "
        f"если r МО меньше r региона не менее чем на {exact(cr['weaker_by'])}. Пары:")
    add("")
    for x, y in cr["pairs"]:
        add(f"- `{x}` и `{y}`")
    add("")

    me = s["measure_effects"]
    add("## 8. Результативность мер по рекомендациям")
    add("")
    add("Для анализируемого года Y: рекомендации года Y − 1 (`core.recommendation`) и меры, записанные в measures.* "
        "года Y. Для каждого уровня (ОО, МО) и кода рекомендации:")
    add("")
    add("- **приняли меры** — единицы, получившие рекомендацию и записавшие по ней хотя бы одну исполненную меру;")
    add("- **отложены** — мера не исполнена или мера без рекомендации (не входят ни в одну группу);")
    add("- **группа сравнения** — все остальные единицы уровня: мер по этой рекомендации нет.")
    add("")
    add("Учитываются единицы со значением целевого показателя в оба года. Разность разностей = среднее изменение "
        "(от Y − 1 к Y) у принявших меры − среднее изменение у группы сравнения; стандартная ошибка "
        "√(s²₁/n₁ + s²₀/n₀). Улучшение — разность в желательную сторону (по полярности показателя) больше "
        f"{exact(me['min_se'])} стандартных ошибок (`mart.measure_effects`).")
    add("")
    add("Целевые показатели рекомендаций: из каталога рекомендаций `include/recommendations/catalogue.yaml` — "
        "показатель условия рекомендации, для рекомендации по фактору риска — первый показатель каталога этого "
        "фактора (раздел 3); для рекомендаций по статусу ОО и прочих кодов — из settings.yaml. Рекомендация без "
        "целевого показателя в таблицу попадает с выводом «целевой показатель не задан».")
    add("")
    from edu_quality.analysis.measure_effects import targets
    from edu_quality.recommendations.catalogue import rule_conditions
    for code, ind in sorted(targets(s, rule_conditions()).items()):
        add(f"- `{code}` → {_indicator(ind, cat)}")
    add("")

    add("## Представления mart")
    add("")
    for view, comment in _views():
        add(f"- `{view}` — {comment.replace(chr(39) * 2, chr(39))}")
    add("")
    return "\n".join(L)


def write_methodology(path: Path | None = None) -> Path:
    path = path or METHODOLOGY_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_methodology(), encoding="utf-8", newline="\n")
    return path


if __name__ == "__main__":
    print(write_methodology(Path(sys.argv[1]) if len(sys.argv) > 1 else None))
