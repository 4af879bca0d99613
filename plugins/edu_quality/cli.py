"""`edu-quality`: the command line other programs drive the product through. Keep it stable.

  edu-quality sample --year Y --out DIR [--seed N] [--schools N] [--municipalities N] [--scale S]
  edu-quality run --year Y --inbox DIR [--output DIR] [--issued-on YYYY-MM-DD]
  edu-quality validate FILE --source NAME [--year Y] [--schools FILE] [--lang ru|en]
  edu-quality db start|stop|url|migrate
  edu-quality catalog [--out DIR]   (the indicators' data dictionary: DIR/indicators.md and .html)
  edu-quality check [--root DIR]    (every configuration file people edit; exit 1 on any problem)
  edu-quality agreement --year Y --rating FILE [--indicator CODE…] [--record FILE]
                                    (the year's ranking against an official rating: AUC, Spearman, misses)
  edu-quality airflow ARGS…   (the airflow CLI in the project's environment, e.g. `standalone`)
  edu-quality --version       (the release, and the last migration it ships: CHANGELOG.md)
"""
from __future__ import annotations

import argparse
import importlib
import json
import logging
import os
import re
import subprocess
import sys
import time
from datetime import date
from importlib.metadata import entry_points
from pathlib import Path

from edu_quality.config import PATHS
from edu_quality.sources.registry import all_names


def _cmd_db(args) -> int:
    from edu_quality.warehouse import embedded
    from edu_quality.warehouse.connection import engine, warehouse_url

    if args.action == "start":
        if os.environ.get("WAREHOUSE_URL"):
            print("WAREHOUSE_URL задан: используется внешний PostgreSQL, встроенный сервер не нужен.")
            return 0
        print(embedded.start())
    elif args.action == "stop":
        print("встроенный PostgreSQL остановлен" if embedded.stop() else "встроенный PostgreSQL не был запущен")
    elif args.action == "url":
        print(warehouse_url(start_embedded=True))
    elif args.action == "migrate":
        from edu_quality.warehouse.migrations import migrate

        applied = migrate(engine())
        print("применены миграции: " + (", ".join(applied) if applied else "нет новых"))
    return 0


def _print_summary(summary: dict) -> None:
    print()
    print(f"Мониторинг за {summary['year']} год: цикл выполнен (Airflow DAG annual_monitoring_cycle).")
    print(f"  файлов прочитано:      {summary['files_read']} (загружено {summary['files_loaded']}, "
          f"отклонено {summary['files_rejected']})")
    for r in summary.get("rejected", []):
        print(f"    ✗ {r['message']}")
    print(f"  строк прочитано:       {summary['rows_read']}")
    print(f"  строк загружено:       {summary['rows_loaded']}")
    print(f"  строк в карантине:     {summary['rows_quarantined']}  (mart.quarantine)")
    if summary.get("data_issues"):
        print(f"  ячеек не загружено:    {summary['data_issues']}  (строки справочника сохранены; mart.data_issues)")
    for f in summary.get("files_not_read", []):
        print(f"  не загружен:           {f['file_name']} — {f['reason_ru']}")
    if summary.get("school_match"):
        print("  сопоставление школ:    " + "; ".join(f"{k} — {v}" for k, v in summary["school_match"].items())
              + "  (mart.school_match)")
    print(f"  показателей:           {summary['indicators']} ({summary['indicator_values']} значений)")
    for a in summary.get("analyses_not_possible", []):
        print(f"  не рассчитано:         {a['name_ru']} — {a['missing_ru']}")
    if "low_result_schools" in summary:
        print(f"  анализ:                низкие результаты — {summary['low_result_schools']} ОО, неблагоприятные "
              f"условия — {summary['unfavorable_schools']}, признаки необъективности — "
              f"{summary['biased_suspected_schools']}")
    print(f"  рекомендаций:          {summary['recommendations']}")
    print(f"  документов:            {summary['documents']} (для {summary['documents_for_schools']} школ)")
    print(f"  документы:             {summary['documents_dir']}")
    if summary.get("publication_index"):
        print(f"  оглавление публикации: {summary['publication_index']}")
    if summary.get("data_docs"):
        print(f"  отчёт о проверке (Great Expectations Data Docs): {summary['data_docs']}")


def _cmd_run(args) -> int:
    from edu_quality.orchestration.environment import airflow_bin, airflow_env, ensure_metadata_db

    inbox = Path(args.inbox).resolve()
    output = Path(args.output).resolve()
    if not (inbox / str(args.year)).is_dir():
        print(f"ошибка: нет папки {inbox / str(args.year)} с файлами за {args.year} год", file=sys.stderr)
        return 2
    env = airflow_env()
    from edu_quality.warehouse.connection import engine
    from edu_quality.warehouse.migrations import migrate

    migrate(engine())
    ensure_metadata_db(env)
    conf = {"year": args.year, "inbox": str(inbox), "output": str(output), "issued_on": args.issued_on}
    log_dir = PATHS.home / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"run-{args.year}-{time.strftime('%Y%m%dT%H%M%S')}.log"
    print(f"Запуск DAG annual_monitoring_cycle за {args.year} год через Airflow; журнал: {log_path}")
    started = time.monotonic()
    with log_path.open("w", encoding="utf-8") as log_file:
        proc = subprocess.Popen([airflow_bin(), "dags", "test", "annual_monitoring_cycle", "--conf",
                                 json.dumps(conf)], env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, bufsize=1)
        assert proc.stdout is not None
        for line in proc.stdout:
            log_file.write(line)
            text = _progress(line)
            if text:
                print("  " + text, flush=True)
        code = proc.wait()
    if code != 0:
        print(f"ошибка: цикл за {args.year} год не выполнен (код {code}); см. журнал {log_path}",
              file=sys.stderr)
        problem = _warehouse_problem()
        if problem:
            print(f"причина: {problem}", file=sys.stderr)
        return 1
    summary_path = output / str(args.year) / "run_summary.json"
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    _print_summary(summary)
    print(f"  время:                 {time.monotonic() - started:.0f} с")
    return 0


_TASK_END = re.compile(r"\[DAG TEST\] end task task_id=(?P<task>[\w.]+) map_index=(?P<index>-?\d+)")
_OUR_LOG = re.compile(r"\[(?:info|warning|error)\s*\]\s+(?P<text>.*?)\s+\[edu_quality\.[\w.]+\]")


def _progress(line: str) -> str | None:
    """The lines of Airflow's output a person follows: tasks finished and the pipeline's own news."""
    m = _TASK_END.search(line)
    if m:
        index = "" if m.group("index") == "-1" else f" [{m.group('index')}]"
        return f"✓ {m.group('task')}{index}"
    m = _OUR_LOG.search(line)
    if m and "итог цикла" not in m.group("text"):
        return "  " + m.group("text")[:200]
    return None


def _cmd_validate(args) -> int:
    from edu_quality.validation.report import validate_file

    russian = {"ru": True, "en": False}.get(args.lang)
    return validate_file(Path(args.file), args.source, args.year, Path(args.schools) if args.schools else None,
                         russian=russian, scales=Path(args.scales) if args.scales else None)


def _cmd_catalog(args) -> int:
    from edu_quality.indicators.catalog import load_catalog, load_not_computable
    from edu_quality.indicators.dictionary import write_dictionary

    written = write_dictionary(Path(args.out))
    print(f"Словарь показателей ({len(load_catalog())} показателей, {len(load_not_computable())} не рассчитываемых "
          f"по данным контракта) записан: " + ", ".join(str(p) for p in written))
    return 0


# Every configuration people edit that `edu-quality check` validates: (what, "module:function"), the function
# taking the project's root and returning its problems (edu_quality.checks.Problem). A new kind of configuration
# is one line here.
CHECKS = (
    ("описания источников", "edu_quality.sources.description:description_problems"),
    ("правила источников", "edu_quality.validation.rules:rule_problems"),
    ("каталог показателей", "edu_quality.indicators.catalog:catalog_problems"),
    ("настройки анализа", "edu_quality.analysis.settings:settings_problems"),
    ("каталог рекомендаций", "edu_quality.recommendations.catalogue:catalogue_problems"),
    ("цели и целевые значения", "edu_quality.analysis.targets:targets_problems"),
)


def checker(target: str):
    module, _, function = target.partition(":")
    return getattr(importlib.import_module(module), function)


def _plural(n: int, one: str, few: str, many: str) -> str:
    word = one if n % 10 == 1 and n % 100 != 11 else few if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14 else many
    return f"{n} {word}"


def _cmd_check(args) -> int:
    root = Path(args.root).resolve()
    problems = []
    for _, target in CHECKS:
        problems += sorted(checker(target)(root), key=lambda p: (p.file, p.line or 0))
    for problem in problems:
        print(problem)
    if problems:
        print(f"Конфигурация не прошла проверку: {_plural(len(problems), 'проблема', 'проблемы', 'проблем')}.",
              file=sys.stderr)
        return 1
    print(f"Конфигурация в порядке: {', '.join(what for what, _ in CHECKS)} — проблем нет.")
    return 0


AGREEMENT_INDICATORS = ("moscow_ege_share_220plus", "moscow_ege_share_160plus")


def _cmd_agreement(args) -> int:
    from edu_quality.analysis.rating_agreement import rating_agreement, write_record
    from edu_quality.warehouse.connection import engine

    result = rating_agreement(engine(), args.year, Path(args.rating), args.indicator or list(AGREEMENT_INDICATORS))
    print(f"Рейтинг {result['rating_file']}: {result['rated']} мест, сопоставлено со школами {args.year} года "
          f"{result['matched']}, не сопоставлено {len(result['misses'])} (школ года {result['schools']}).")
    for a in result["agreement"]:
        auc = "—" if a["auc"] is None else f"{a['auc']:.3f}"
        rho = "—" if a["spearman"] is None else f"{a['spearman']:.3f} (p = {a['spearman_p']:.2g})"
        print(f"  {a['indicator_code']}: школ со значением {a['schools_with_value']}, из них в рейтинге "
              f"{a['rated_with_value']}; AUC {auc}; Спирмен среди рейтинговых {rho}")
    for m in result["misses"]:
        print(f"  не сопоставлено: {m['place']}. {m['name']} — {m['reason_ru']}")
    if args.record:
        print(f"Записано: {write_record(result, Path(args.record))}")
    return 0


def _cmd_airflow(args) -> int:
    from edu_quality.orchestration.environment import airflow_bin, airflow_env, ensure_metadata_db

    env = airflow_env()
    ensure_metadata_db(env)
    return subprocess.call([airflow_bin(), *args.airflow_args], env=env)


def _connection_lost(exc: BaseException) -> bool:
    import psycopg2
    from sqlalchemy import exc as sa_exc

    seen = set()
    while exc is not None and id(exc) not in seen:  # the driver's error may be wrapped, or be the cause
        seen.add(id(exc))
        if isinstance(exc, (sa_exc.OperationalError, sa_exc.InterfaceError, psycopg2.OperationalError,
                            psycopg2.InterfaceError)):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def explain_error(exc: BaseException) -> str:
    """One message an operator can act on: a warehouse that is down or went away mid-run is said so,
    with what to do; anything else is the error's own text."""
    if not _connection_lost(exc):
        return str(exc)
    from sqlalchemy.engine import make_url

    from edu_quality.warehouse.connection import warehouse_url

    try:
        where = make_url(warehouse_url(start_embedded=False)).render_as_string(hide_password=True)
    except Exception:
        where = "встроенный сервер не запущен"
    detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
    return (f"хранилище PostgreSQL недоступно или соединение с ним прервано ({where}; {detail}). "
            "Незавершённые изменения сервер откатил. Когда сервер снова работает "
            "(встроенный: `edu-quality db start`; внешний — WAREHOUSE_URL), повторите ту же команду: повторный "
            "запуск даёт тот же результат, что и запуск без сбоя.")


def _warehouse_problem() -> str | None:
    """After a failed run: the operator message when the warehouse is the reason, else None."""
    from sqlalchemy import text

    from edu_quality.warehouse.connection import engine

    try:
        with engine().connect() as conn:
            conn.execute(text("select 1"))
    except Exception as exc:
        return explain_error(exc) if _connection_lost(exc) else None
    return None


def version() -> str:
    """`edu-quality X.Y.Z (migrations 001–NNN)`: the installed release (pyproject's version) and its schema."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    from edu_quality.warehouse.migrations import migration_files

    try:
        release = installed("edu-quality")
    except PackageNotFoundError:  # a checkout on sys.path, not installed
        release = "unknown"
    files = migration_files()
    schema = f"migrations {files[0][0]:03d}–{files[-1][0]:03d}" if files else "no migrations"
    return f"edu-quality {release} ({schema})"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="edu-quality", description="Мониторинг качества образования")
    parser.add_argument("--version", action="version", version=version())
    sub = parser.add_subparsers(dest="command", required=True)

    # Commands of other installed packages (the sample-region generator's `sample`): entry points of the group
    # `edu_quality.commands`, each a function that adds its subparser. The product imports none of them.
    for entry in sorted(entry_points(group="edu_quality.commands"), key=lambda e: e.name):
        entry.load()(sub)

    p = sub.add_parser("run", help="выполнить годовой цикл через Airflow на файлах папки DIR/Y/")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--inbox", required=True)
    p.add_argument("--output", default=str(PATHS.default_output))
    p.add_argument("--issued-on", default=date.today().isoformat(),
                   help="дата направления результатов (ГГГГ-ММ-ДД); срок плана мероприятий — через месяц")
    p.set_defaults(func=_cmd_run)

    p = sub.add_parser("validate", help="проверить один файл по контракту, не загружая его")
    p.add_argument("file")
    p.add_argument("--source", required=True, help="источник: " + ", ".join(all_names()))
    p.add_argument("--year", type=int, default=date.today().year)
    p.add_argument("--schools", help="справочник schools.* для проверки кодов ОО "
                                     "(по умолчанию — из той же входящей папки)")
    p.add_argument("--scales", help="шкалы vpr_scales.* или gia_thresholds.* (по умолчанию — из той же папки)")
    p.add_argument("--lang", choices=("ru", "en"), help="язык сообщений (по умолчанию — по локали)")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("db", help="встроенный PostgreSQL: start, stop, url, migrate")
    p.add_argument("action", choices=("start", "stop", "url", "migrate"))
    p.set_defaults(func=_cmd_db)

    p = sub.add_parser("catalog", help="записать словарь показателей (Markdown и HTML) из каталога sql/indicators/")
    p.add_argument("--out", default=str(PATHS.root / "docs"), help="папка для indicators.md и indicators.html")
    p.set_defaults(func=_cmd_catalog)

    p = sub.add_parser("check", help="проверить конфигурацию: " + ", ".join(what for what, _ in CHECKS))
    p.add_argument("--root", default=str(PATHS.root), help="корень проекта с папками include/ и sql/ "
                                                           "(по умолчанию — этот)")
    p.set_defaults(func=_cmd_check)

    p = sub.add_parser("agreement", help="согласие ранжирования школ года с официальным рейтингом: AUC, Спирмен")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--rating", required=True, help="файл рейтинга: строки «место,<TAB>краткое наименование»")
    p.add_argument("--indicator", action="append", help="код показателя (можно несколько; по умолчанию — "
                                                        + ", ".join(AGREEMENT_INDICATORS) + ")")
    p.add_argument("--record", help="записать итоги в JSON (docs/rating_agreement.json — их приводит методика)")
    p.set_defaults(func=_cmd_agreement)

    p = sub.add_parser("airflow", help="команда airflow в окружении проекта (например, standalone)")
    p.add_argument("airflow_args", nargs=argparse.REMAINDER)
    p.set_defaults(func=_cmd_airflow)
    return parser


class _OneLine(logging.Formatter):
    """Console log lines without tracebacks (a library logging a lost connection, say): the operator
    gets one message per problem; EDU_QUALITY_DEBUG=1 shows everything."""

    def format(self, record: logging.LogRecord) -> str:
        record = logging.makeLogRecord({**record.__dict__, "exc_info": None, "exc_text": None, "stack_info": None})
        return super().format(record)


def setup_console_logging() -> None:
    handler = logging.StreamHandler()
    fmt = "%(levelname)s %(name)s: %(message)s"
    handler.setFormatter(logging.Formatter(fmt) if os.environ.get("EDU_QUALITY_DEBUG") else _OneLine(fmt))
    logging.basicConfig(level=logging.WARNING, handlers=[handler])


def main(argv: list[str] | None = None) -> int:
    setup_console_logging()
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a clear one-line message; the traceback is for --debug users
        if os.environ.get("EDU_QUALITY_DEBUG"):
            raise
        print(f"ошибка: {explain_error(exc)}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
