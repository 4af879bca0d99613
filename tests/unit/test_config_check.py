"""`edu-quality check` and the typed configuration: the real files pass; a copy of the project with one planted
mistake is refused with the file, the line and what was expected, and the command exits non-zero. The loaders
the product uses refuse the same mistakes."""
from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from edu_quality import cli
from edu_quality.analysis.settings import SettingsError, load_settings
from edu_quality.analysis.tables import columns
from edu_quality.checks import ConfigError, parse_yaml
from edu_quality.config import PATHS
from edu_quality.indicators.catalog import load_catalog
from edu_quality.recommendations.catalogue import STATUSES, load_rules
from edu_quality.recommendations.choose import STATUS_RU

SETTINGS = "include/analysis/settings.yaml"
CATALOGUE = "include/recommendations/catalogue.yaml"
TARGETS = "include/goals/targets.yaml"


@pytest.fixture
def project(tmp_path) -> Path:
    """A copy of the project's configuration: the settings, the recommendations and the indicator catalogue."""
    for rel in (SETTINGS, CATALOGUE, TARGETS):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(PATHS.root / rel, tmp_path / rel)
    shutil.copytree(PATHS.indicators, tmp_path / "sql" / "indicators")
    shutil.copytree(PATHS.root / "include" / "sources", tmp_path / "include" / "sources")
    return tmp_path


def plant(path: Path, old: str, new: str) -> int:
    """Replace the one occurrence of `old` by `new`; the line (1-based) where it now is."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path}"
    text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return text[: text.index(new)].count("\n") + 1


def check(root: Path, capsys) -> tuple[int, list[str]]:
    code = cli.main(["check", "--root", str(root)])
    out = capsys.readouterr()
    return code, out.out.splitlines() + out.err.splitlines()


def refused(root: Path, capsys, expected: str) -> list[str]:
    code, lines = check(root, capsys)
    assert code == 1, lines
    assert any(line.startswith(expected) for line in lines), "\n".join(lines)
    return lines


def test_the_real_configuration_passes(capsys):
    code, lines = check(PATHS.root, capsys)
    assert code == 0, "\n".join(lines)
    assert lines == ["Конфигурация в порядке: описания источников, правила источников, каталог показателей, "
                     "настройки анализа, каталог рекомендаций, цели и целевые значения — проблем нет."]


def test_the_command_exits_non_zero_on_a_planted_typo(project):
    line = plant(project / CATALOGUE, "when: {indicator: vpr_share_mark_2, level: risk_high}",
                 "when: {indicator: vpr_share_mrk_2, level: risk_high}")
    run = subprocess.run([sys.executable, "-m", "edu_quality", "check", "--root", str(project)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 1, run.stdout + run.stderr
    assert run.stdout.splitlines() == [
        f"{CATALOGUE}, строка {line}: правило R-LOW-01: показатель «vpr_share_mrk_2» не найден в каталоге "
        "sql/indicators/ (похожие: vpr_share_mark_2, vpr_share_marks_4_5, oge_share_mark_2)"]
    assert "1 проблема" in run.stderr


# --- the recommendations catalogue ---

def test_a_rule_naming_a_misspelt_indicator_is_refused_by_the_loader_too(project):
    line = plant(project / CATALOGUE, "when: {indicator: vpr_share_mark_gap_2plus, level: risk_high}",
                 "when: {indicator: vpr_share_mark_gap2plus, level: risk_high}")
    with pytest.raises(ConfigError) as err:
        load_rules(project / CATALOGUE)
    assert f"catalogue.yaml, строка {line}: правило R-OBJ-01: показатель «vpr_share_mark_gap2plus»" in str(err.value)


def test_an_unknown_risk_factor(project, capsys):
    line = plant(project / CATALOGUE, "when: {risk_factor: RF05}", "when: {risk_factor: RF15}")
    refused(project, capsys, f"{CATALOGUE}, строка {line}: правило R-RISK-05: фактор риска «RF15» не найден в "
                             f"{SETTINGS} (risk_profile.factors)")


def test_a_risk_factor_the_data_cannot_assess(project, capsys):
    line = plant(project / CATALOGUE, "when: {risk_factor: RF06}", "when: {risk_factor: RF04}")
    refused(project, capsys, f"{CATALOGUE}, строка {line}: правило R-RISK-06: фактор риска «RF04» не оценивается")


def test_a_wrong_level(project, capsys):
    text = (project / CATALOGUE).read_text(encoding="utf-8")
    first = text.index("- code: R-MO-01")
    line = text[:first].count("\n") + 2
    (project / CATALOGUE).write_text(text[:first] + text[first:].replace("level: municipality", "level: region", 1),
                                     encoding="utf-8")
    refused(project, capsys, f"{CATALOGUE}, строка {line}: правило R-MO-01, поле level: значение «region» не "
                             "допускается; ожидается одно из: «school», «municipality»")


def test_a_misspelt_status_and_a_missing_risk_zone(project, capsys):
    status = plant(project / CATALOGUE, "addressee: Руководитель ОО\n  when: {status: unfavorable_conditions}",
                   "addressee: Руководитель ОО\n  when: {status: unfavourable_conditions}") + 1
    zone = plant(project / CATALOGUE, "when: {indicator: vpr_share_confirmed, level: risk_high}",
                 "when: {indicator: vpr_share_confirmed}")
    lines = refused(project, capsys, f"{CATALOGUE}, строка {status}: правило R-UNF-01, поле when.status: значение "
                                     "«unfavourable_conditions» не допускается")
    assert any(line.startswith(f"{CATALOGUE}, строка {zone}: правило R-OBJ-02, поле when: условие по показателю "
                               "требует level") for line in lines), lines


def test_a_rule_on_an_indicator_without_that_risk_zone(project, capsys):
    plant(project / "sql/indicators/vpr_share_confirmed/metadata.yaml", "risk_high: 40, ", "")
    line = [n for n, text in enumerate((project / CATALOGUE).read_text(encoding="utf-8").splitlines(), 1)
            if "vpr_share_confirmed" in text][0]
    refused(project, capsys, f"{CATALOGUE}, строка {line}: правило R-OBJ-02: у показателя «vpr_share_confirmed» "
                             "нет порога risk_high")


# --- indicator metadata ---

def test_a_bad_threshold_key(project, capsys):
    meta = "sql/indicators/vpr_share_mark_2/metadata.yaml"
    line = plant(project / meta, "thresholds: {risk_high: 20, risk_medium: 12}",
                 "thresholds: {risk_high: 20, risk_meduim: 12}")
    refused(project, capsys, f"{meta}, строка {line}: thresholds: неизвестное поле «risk_meduim» (похожие: risk_medium")
    with pytest.raises(ConfigError, match="risk_meduim"):
        load_catalog(project / "sql" / "indicators")


def test_a_bad_polarity_and_thresholds_against_it(project, capsys):
    meta = "sql/indicators/oge_share_mark_2/metadata.yaml"
    line = plant(project / meta, "polarity: lower_better", "polarity: lower")
    refused(project, capsys, f"{meta}, строка {line}: polarity: значение «lower» не допускается; ожидается одно из: "
                             "«higher_better», «lower_better», «neutral»")
    meta = "sql/indicators/vpr_share_mark_2/metadata.yaml"
    line = plant(project / meta, "thresholds: {risk_high: 20, risk_medium: 12}",
                 "thresholds: {risk_high: 12, risk_medium: 20}")
    refused(project, capsys, f"{meta}, строка {line}: при полярности lower_better порог risk_high (12) должен быть "
                             "не меньше порога risk_medium (20)")


def test_a_code_that_is_not_its_folder(project, capsys):
    meta = "sql/indicators/cond_edoc_flow/metadata.yaml"
    line = plant(project / meta, "code: cond_edoc_flow", "code: cond_edoc")
    refused(project, capsys, f"{meta}, строка {line}: код «cond_edoc» не совпадает с именем папки «cond_edoc_flow»")


# --- the analysis settings ---

def test_a_setting_naming_a_missing_indicator(project, capsys):
    line = plant(project / SETTINGS, "{indicator: tch_share_cpd_3y, risk_when: low, percentile: 10}",
                 "{indicator: tch_share_cpd_3yr, risk_when: low, percentile: 10}")
    refused(project, capsys, f"{SETTINGS}, строка {line}: risk_profile.factors[4].metrics[0].indicator: показатель "
                             "«tch_share_cpd_3yr» не найден в каталоге sql/indicators/ (похожие: tch_share_cpd_3y")
    with pytest.raises(SettingsError, match=f"settings.yaml, строка {line}: "):
        load_settings(project / SETTINGS)


def test_a_misspelt_key_and_a_value_out_of_range(project, capsys):
    key = plant(project / SETTINGS, "  alpha: 0.05", "  alpah: 0.05")
    alpha = plant(project / SETTINGS, "alpha: 0.01", "alpha: 5")
    lines = refused(project, capsys, f"{SETTINGS}, строка {key}: measure_effects: неизвестное поле «alpah» "
                                     "(похожие: alpha)")
    assert f"{SETTINGS}, строка {alpha}: general.alpha: значение 5 должно быть меньше 1" in lines


def test_a_ranking_indicator_and_a_metric_naming_two_sources(project, capsys):
    rank = plant(project / SETTINGS, "    - an_mean_head_score", "    - an_mean_heads_score")
    both = plant(project / SETTINGS, "{analysis: gve_share_2}", "{analysis: gve_share_2, indicator: oge_share_mark_2}")
    lines = refused(project, capsys, f"{SETTINGS}, строка {rank}: municipalities.ranking_indicators[20]: показатель "
                                     "аналитического слоя «an_mean_heads_score» неизвестен "
                                     "(похожие: an_mean_head_score)")
    assert any(line.startswith(f"{SETTINGS}, строка {both}: head_effectiveness.directions[3].metrics[1]: показатель "
                               "называется ровно одним из") for line in lines), lines


def test_a_target_for_a_missing_indicator_and_a_share_over_100(project, capsys):
    line = plant(project / TARGETS, "  - indicator: oge_share_mark_2", "  - indicator: oge_share_mark_22")
    lines = refused(project, capsys, f"{TARGETS}, строка {line}: показателя «oge_share_mark_22» нет в каталоге")
    assert any("oge_share_mark_2" in x for x in lines)
    line = plant(project / TARGETS, "region: {2026: 85.0}", "region: {2026: 185.0}")
    refused(project, capsys, f"{TARGETS}, строка {line}: доля в процентах не больше 100, указано 185")


def test_a_target_with_a_misspelt_key_is_refused_with_its_line(project, capsys):
    line = plant(project / TARGETS, "    goal_ru: Снизить долю отметок «2» по ОГЭ", "    goal: Снизить")
    refused(project, capsys, f"{TARGETS}, строка {line}:")


def test_unreadable_yaml_names_its_line(project, capsys):
    line = plant(project / SETTINGS, "  min_participants: 10", "  min_participants: [10")
    code, lines = check(project, capsys)
    unreadable = [text for text in lines if text.startswith(f"{SETTINGS}, строка ") and "не читается как YAML" in text]
    assert code == 1 and len(unreadable) == 1, lines
    # YAML notices the unclosed list where it ends; the message also names where it began.
    assert f"начато в строке {line}" in unreadable[0], unreadable


def test_lines_of_keys_and_items():
    doc = parse_yaml("a:\n  b: 1\n  c:\n    - x\n    - {d: 2, e: 3}\n", "f.yaml")
    assert doc.data == {"a": {"b": 1, "c": ["x", {"d": 2, "e": 3}]}}
    assert doc.line(("a", "b")) == 2 and doc.line(("a", "c", 1, "e")) == 5
    assert doc.line(("a", "c", 0, "missing")) == 4       # a missing key: the line of its parent
    assert doc.line(("a", "function-after[x]", "b")) == 2  # parts a document does not have are skipped


# --- the list of checkers and the foundation ---

def test_every_checker_of_the_list_resolves():
    for what, target in cli.CHECKS:
        assert callable(cli.checker(target)), what


def test_the_checks_module_builds_only_on_config():
    tree = ast.parse((PATHS.plugins / "edu_quality" / "checks.py").read_text(encoding="utf-8"))
    ours = {n.module for n in ast.walk(tree)
            if isinstance(n, ast.ImportFrom) and (n.module or "").startswith("edu_quality")}
    ours |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names
             if a.name.startswith("edu_quality")}
    assert ours == {"edu_quality.config"}


def test_the_statuses_a_rule_may_name_are_the_analysis_statuses():
    assert set(STATUSES) == set(STATUS_RU)
    assert set(STATUSES) <= set(columns("core.school_status"))


# --- the source descriptions ---

SOURCES_DIR = "include/sources"


@pytest.mark.parametrize("file,old,new,expected", [
    ("vpr.yaml", "  - {header: Параллель, name: grade, kind: int}",
     "  - {header: Параллель, name: grade, kind: integer}",
     "columns[4].kind: значение «integer» не допускается"),
    ("vpr.yaml", "references: [schools, vpr_scales]", "references: [schools, vpr_scale]",
     "источник «vpr_scale» не описан (похожие: vpr_scales)"),
    ("gia.yaml", "prepare: [gia_form_fields,", "prepare: [gia_form_field,",
     "правила «gia_form_field» нет в validation/rules.py (похожие: gia_form_fields)"),
    ("teachers.yaml", "key: [school_code, teacher_code]", "key: [school_code, teacher]",
     "key column 'teacher' is not a column of the source"),
    ("schools.yaml", "  - {in_set: school_type}", "  - {in_sett: school_type}", "check {'in_sett': 'school_type'}"),
    ("vpr_scales.yaml", "order: 20", "order: 50", "справочник «vpr_scales» загружается позже"),
])
def test_a_source_description_with_a_planted_typo_is_refused_with_its_line(project, capsys, file, old, new, expected):
    line = plant(project / SOURCES_DIR / file, old, new)
    if expected.startswith("справочник"):  # the problem is where the later source names it
        text = (project / SOURCES_DIR / "vpr.yaml").read_text(encoding="utf-8")
        file, line = "vpr.yaml", text[: text.index("references:")].count("\n") + 1
    code, lines = check(project, capsys)
    assert code == 1, lines
    shown = [ln for ln in lines if ln.startswith(f"{SOURCES_DIR}/{file}, строка {line}: ")]
    assert shown and expected in shown[0], "\n".join(lines)


def test_a_parsed_yaml_is_each_callers_own_copy():
    from edu_quality.checks import parse_yaml

    text = "a:\n  b: [1, 2]\n"
    first = parse_yaml(text, "x.yaml")
    first.data["a"]["b"].append(3)
    second = parse_yaml(text, "x.yaml")  # parsed once, yet unchanged by what the first caller did
    assert second.data == {"a": {"b": [1, 2]}} and second.lines[("a", "b")] == 2
    assert parse_yaml("a: 1\n", "x.yaml").data == {"a": 1}
