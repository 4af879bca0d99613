"""`edu-quality` through a subprocess, as a user or a script runs it: each subcommand's exit code and what it
says (the subcommands' own logic has its unit tests; here it is the command line's contract)."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from sample_region import generate
from tests.cli import edu_quality

YEAR = 2016


@pytest.fixture(scope="module")
def inbox(tmp_path_factory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("cli-inbox")
    return root, generate(YEAR, root, seed=3, schools=12, municipalities=2, students_per_class=8)


def test_help_version_and_usage_errors():
    assert edu_quality("--help").returncode == 0
    version = edu_quality("--version")
    assert version.returncode == 0 and version.stdout.startswith("edu-quality ")
    none = edu_quality()
    assert none.returncode == 2 and "usage: edu-quality" in none.stderr and "command" in none.stderr
    unknown = edu_quality("frobnicate")
    assert unknown.returncode == 2 and "invalid choice: 'frobnicate'" in unknown.stderr
    missing = edu_quality("run", "--inbox", "x")
    assert missing.returncode == 2 and "--year" in missing.stderr


# --- validate ------------------------------------------------------------------------------------------

def _bad(manifest: dict, rule: str) -> dict:
    return next(b for b in manifest["bad_rows"] if b["rule"] == rule)


@pytest.mark.parametrize("lang, row, mark, total, checked", [
    ("ru", "строка", "отметка не соответствует шкале перевода", "Итого: прочитано", "коды ОО сверяются"),
    ("en", "row", "mark disagrees with the year's scale", "Total:", "school codes checked against"),
])
def test_validate_a_file_with_bad_rows(inbox, lang, row, mark, total, checked):
    """Exit 0 (the file would load, its bad rows quarantined), each bad row with its number and reason in the
    language asked for, the references found beside the file, and the totals."""
    root, manifest = inbox
    bad = _bad(manifest, "mark_scale_mismatch")
    done = edu_quality("validate", str(root / str(YEAR) / bad["file"]), "--source", bad["source"],
                       "--year", str(YEAR), "--lang", lang)
    assert done.returncode == 0, done.stderr
    assert f"{row} {bad['row_number']}: «Отметка»: {mark}" in done.stdout
    assert checked in done.stdout and total in done.stdout
    planted = sum(1 for b in manifest["bad_rows"] if b["file"] == bad["file"] and b["outcome"] == "quarantine")
    said = done.stdout.strip().splitlines()[-1]
    assert (f"в карантин {planted}." if lang == "ru" else f"{planted} would be quarantined.") in said, said


def test_validate_schools_and_scales_given_explicitly(inbox, tmp_path):
    """A file alone in a folder: without --schools its school codes are not checked (and it says so); with
    --schools and --scales they are, from the files named."""
    root, manifest = inbox
    bad = _bad(manifest, "unknown_school")
    alone = tmp_path / "alone" / Path(bad["file"]).name
    alone.parent.mkdir()
    shutil.copy(root / str(YEAR) / bad["file"], alone)
    scales = root / str(YEAR) / ("vpr_scales.csv" if bad["source"] == "vpr" else "gia_thresholds.csv")
    unchecked = edu_quality("validate", str(alone), "--source", bad["source"], "--year", str(YEAR), "--lang", "en",
                            "--scales", str(scales))
    assert unchecked.returncode == 0, unchecked.stderr
    assert "pass --schools FILE" in unchecked.stdout and f"row {bad['row_number']}:" not in unchecked.stdout
    assert f"scales: {scales}" in unchecked.stdout
    schools = root / str(YEAR) / "schools.csv"
    checked = edu_quality("validate", str(alone), "--source", bad["source"], "--year", str(YEAR), "--lang", "en",
                          "--schools", str(schools), "--scales", str(scales))
    assert checked.returncode == 0, checked.stderr
    assert f"school codes checked against {schools}" in checked.stdout
    assert f"row {bad['row_number']}:" in checked.stdout and "pass --schools" not in checked.stdout


@pytest.mark.parametrize("lang, said", [("ru", "Файл schools.csv будет отклонён: не найдена строка заголовка"),
                                        ("en", "File schools.csv would be rejected:")])
def test_validate_a_file_that_would_be_rejected(tmp_path, lang, said):
    path = tmp_path / "schools.csv"
    path.write_text("Код;Название\n1;2\n", encoding="utf-8")
    done = edu_quality("validate", str(path), "--source", "schools", "--lang", lang)
    assert done.returncode == 1 and done.stdout.startswith(said), done.stdout


def test_validate_errors(tmp_path):
    """A missing file: exit 1, it would be rejected (named); an unknown source: exit 1 and one line saying so, no
    traceback; a language it does not speak: a usage error."""
    missing = edu_quality("validate", str(tmp_path / "nowhere.csv"), "--source", "schools", "--lang", "ru")
    assert missing.returncode == 1 and "Traceback" not in missing.stdout + missing.stderr
    assert missing.stdout.startswith("Файл nowhere.csv будет отклонён: "), missing.stdout
    path = tmp_path / "x.csv"
    path.write_text("a\n", encoding="utf-8")
    unknown = edu_quality("validate", str(path), "--source", "no_such_source")
    assert unknown.returncode == 1 and unknown.stderr.startswith("ошибка: ") and "Traceback" not in unknown.stderr
    assert "no_such_source" in unknown.stderr
    lang = edu_quality("validate", str(path), "--source", "schools", "--lang", "de")
    assert lang.returncode == 2 and "invalid choice: 'de'" in lang.stderr


# --- db ------------------------------------------------------------------------------------------------

def test_db_start_url_stop_on_a_home_of_its_own():
    """The embedded server of another home (not the session's): start prints a URL psql accepts, url prints
    the same, stop stops it and says so, a second stop says it was not running."""
    import tempfile

    from pgserver._commands import POSTGRES_BIN_PATH

    # Not under pytest's tmp_path: run as root, pgserver's server user must reach the folder (as the session's).
    home = Path(tempfile.mkdtemp(prefix="edu-quality-cli-db-"))
    env = {"EDU_QUALITY_HOME": str(home), "WAREHOUSE_URL": ""}
    started = edu_quality("db", "start", env=env, timeout=300)
    try:
        assert started.returncode == 0, started.stderr
        url = started.stdout.strip().splitlines()[-1]
        assert url.startswith("postgresql://") and str(home) in url
        again = edu_quality("db", "url", env=env)
        assert again.returncode == 0 and again.stdout.strip() == url
        psql = subprocess.run([str(Path(POSTGRES_BIN_PATH) / "psql"), url, "-Atc", "select current_database()"],
                              capture_output=True, text=True, timeout=60)
        assert psql.returncode == 0 and psql.stdout.strip() == "edu_quality", psql.stderr
    finally:
        stopped = edu_quality("db", "stop", env=env, timeout=120)
    assert stopped.returncode == 0 and stopped.stdout.strip() == "встроенный PostgreSQL остановлен"
    twice = edu_quality("db", "stop", env=env)
    assert twice.returncode == 0 and twice.stdout.strip() == "встроенный PostgreSQL не был запущен"
    shutil.rmtree(home, ignore_errors=True)


def test_db_start_with_an_external_server_starts_nothing(tmp_path, warehouse_database):
    env = {"EDU_QUALITY_HOME": str(tmp_path / "home"), "WAREHOUSE_URL": warehouse_database.url}
    done = edu_quality("db", "start", env=env)
    assert done.returncode == 0 and done.stdout.startswith("WAREHOUSE_URL задан")
    assert not (tmp_path / "home" / "pgdata").exists()
    url = edu_quality("db", "url", env=env)
    assert url.returncode == 0 and url.stdout.strip() == warehouse_database.url


def test_db_migrate_is_idempotent(warehouse_database):
    done = edu_quality("db", "migrate")
    assert done.returncode == 0 and done.stdout.strip() == "применены миграции: нет новых"


def test_db_on_a_server_that_is_down(tmp_path):
    """WAREHOUSE_URL naming a server that is not there: one operator message, exit 1."""
    env = {"WAREHOUSE_URL": f"postgresql://nobody@/edu_quality?host={tmp_path}&port=1"}
    done = edu_quality("db", "migrate", env=env, timeout=120)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith("ошибка: хранилище PostgreSQL недоступно"), done.stderr


# --- sample --------------------------------------------------------------------------------------------

def test_sample_writes_a_region(tmp_path):
    done = edu_quality("sample", "--year", str(YEAR), "--out", str(tmp_path), "--schools", "6",
                       "--municipalities", "2", "--seed", "5")
    assert done.returncode == 0, done.stderr
    manifest = json.loads((tmp_path / str(YEAR) / "_manifest.json").read_text(encoding="utf-8"))
    assert done.stdout.startswith(f"Образец региона за {YEAR} год записан в {tmp_path / str(YEAR)}: "
                                  f"{len(manifest['files'])} файлов")
    assert all((tmp_path / str(YEAR) / f["file"]).is_file() for f in manifest["files"])


def test_sample_scale_small(tmp_path):
    """`--scale small`: the streamed generator, through the command line (its files are what `make bench` reads)."""
    done = edu_quality("sample", "--year", str(YEAR), "--out", str(tmp_path), "--scale", "small", timeout=600)
    assert done.returncode == 0, done.stderr
    files = sorted(p.relative_to(tmp_path / str(YEAR)).as_posix() for p in (tmp_path / str(YEAR)).rglob("*")
                   if p.is_file())
    assert "schools.csv" in files and any(f.startswith("vpr/") for f in files), files
    with (tmp_path / str(YEAR) / "schools.csv").open(encoding="utf-8-sig") as f:
        schools = sum(1 for _ in f) - 1
    assert 20 <= schools <= 100, schools  # ~40 schools
    assert done.stdout.strip(), "no progress printed"
    bad = edu_quality("sample", "--year", str(YEAR), "--out", str(tmp_path), "--scale", "huge")
    assert bad.returncode == 2 and "invalid choice: 'huge'" in bad.stderr


# --- catalog and check ---------------------------------------------------------------------------------

def test_catalog_writes_the_dictionary(tmp_path):
    done = edu_quality("catalog", "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "indicators.md").is_file() and (tmp_path / "indicators.html").is_file()
    assert done.stdout.startswith("Словарь показателей (") and str(tmp_path / "indicators.md") in done.stdout


def test_check_passes_on_the_checkout_and_fails_on_a_broken_copy(tmp_path):
    from edu_quality.config import PATHS

    ok = edu_quality("check")
    assert ok.returncode == 0 and ok.stdout.startswith("Конфигурация в порядке"), ok.stdout + ok.stderr
    project = tmp_path / "project"
    for part in ("include", "sql"):
        shutil.copytree(PATHS.root / part, project / part)
    settings = project / "include" / "analysis" / "settings.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("suspected_min_kinds: 2",
                                                                     "suspected_min_kinds: two"), encoding="utf-8")
    line = next(n for n, text_ in enumerate(settings.read_text(encoding="utf-8").splitlines(), start=1)
                if "suspected_min_kinds: two" in text_)
    broken = edu_quality("check", "--root", str(project))
    assert broken.returncode == 1
    assert broken.stdout.strip() == (f"include/analysis/settings.yaml, строка {line}: objectivity.suspected_min_kinds: "
                                     "ожидается целое число, указано «two»")
    assert broken.stderr.strip().startswith("Конфигурация не прошла проверку: 1 проблема")


# --- run -----------------------------------------------------------------------------------------------

def test_run_without_the_years_folder(tmp_path):
    done = edu_quality("run", "--year", "1999", "--inbox", str(tmp_path))
    assert done.returncode == 2
    assert done.stderr.strip() == f"ошибка: нет папки {tmp_path.resolve() / '1999'} с файлами за 1999 год"


@pytest.mark.e2e
def test_run_whose_task_fails(inbox, tmp_path, warehouse_database):
    """A task dies while loading (a failpoint kills it mid-file): the run exits 1, names the year and the log,
    prints no summary; the log holds Airflow's account of the failed task; nothing half-loaded is kept."""
    from sqlalchemy import text

    root, _ = inbox
    done = edu_quality("run", "--year", str(YEAR), "--inbox", str(root), "--output", str(tmp_path / "out"),
                       env={"EDU_QUALITY_FAILPOINT": "load.before_commit:2"}, timeout=900)
    assert done.returncode == 1, done.stdout[-2000:] + done.stderr[-2000:]
    first = done.stderr.strip().splitlines()[0]
    assert first.startswith(f"ошибка: цикл за {YEAR} год не выполнен (код "), done.stderr
    log = Path(first.rsplit("см. журнал ", 1)[1])
    assert log.is_file() and "annual_monitoring_cycle" in log.read_text(encoding="utf-8")
    assert "строк загружено" not in done.stdout  # no summary of a run that did not finish
    assert not (tmp_path / "out" / str(YEAR) / "run_summary.json").exists()
    with warehouse_database.engine.connect() as conn:
        counts = conn.execute(text("select count(*) filter (where status = 'loaded'), count(*) from core.load_log "
                                   "where year = :y"), {"y": YEAR}).one()
    assert counts[0] <= 1, counts  # the file being loaded when the task died is not there
