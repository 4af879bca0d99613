"""The steps of the annual cycle, as plain functions the DAG's tasks call (DAG files stay thin).

Each takes and returns small JSON-able values, so Airflow passes them through XCom.
"""
from __future__ import annotations

import json
import logging
from datetime import date
from pathlib import Path

from sqlalchemy import text

from edu_quality.config import PATHS
from edu_quality.pipeline import inbox as inbox_mod
from edu_quality.warehouse.connection import engine
from edu_quality.warehouse.locks import advisory_lock

log = logging.getLogger(__name__)


# Two runs of one year (a manual run and the scheduled one, the annual DAG and refresh_year_outputs) are
# serialised on the year: recomputing its results (indicators, analysis, recommendations) holds the year
# exclusively; loading its files and writing its documents hold it shared, so the mapped tasks of one run
# still go in parallel, while never reading results half-recomputed by another run. Documents of one
# municipality are written by one run at a time. Order is always year, then file or municipality.
def _year_exclusive(year: int):
    return advisory_lock(engine(), "year", year)


def _year_shared(year: int):
    return advisory_lock(engine(), "year", year, shared=True)


def prepare_warehouse() -> list[str]:
    from edu_quality.warehouse.migrations import migrate

    return migrate(engine())


def withdraw_absent(inbox: str, year: int) -> list[str]:
    """A whole-year run mirrors the inbox: loads of files no longer there are withdrawn."""
    from edu_quality.warehouse.load import record_inbox, withdraw

    found = inbox_mod.discover(inbox, year)
    present = [(s, f) for s, files in found.items() for f in files]
    files = inbox_mod.inventory(inbox, year)
    with _year_exclusive(year):
        withdrawn = withdraw(engine(), year, present)
        record_inbox(engine(), year, files)
    for name in withdrawn:
        log.warning("файл %s больше не лежит во входящей папке: его строки за %s год удалены", name, year)
    for f in files:
        if f.status != "source":
            log.warning("файл %s не загружается: %s", f.file_name, f.reason_ru)
    return withdrawn


def source_names() -> list[str]:
    from edu_quality.sources.registry import all_names

    return all_names()


def source_title(source: str) -> str:
    from edu_quality.sources.registry import description

    return description(source).title_ru


def references_of(source: str) -> tuple[str, ...]:
    from edu_quality.sources.registry import description

    return description(source).references


def files_of(inbox: str, year: int, source: str) -> list[dict]:
    """The files of one source in `<inbox>/<year>/`, as kwargs for the mapped ingest task."""
    from edu_quality.sources.registry import description

    found = inbox_mod.discover(inbox, year)
    # Without the schools reference nothing of the contract can load; a region's own sources (into `ext`)
    # stand alone, so an inbox of only those is a cycle too.
    if source == "schools" and not found.get("schools") and not any(
            found.get(s) for s in found if not description(s).table.startswith("core.")):
        raise FileNotFoundError(f"{inbox}/{year}: нет справочника школ schools.* — цикл не может начаться")
    if description(source).required and not found.get(source):
        log.warning("в папке %s/%s нет обязательного источника %s: показатели по нему не будут рассчитаны",
                    inbox, year, source)
    root = inbox_mod.year_dir(inbox, year)
    return [{"source": source, "path": str(root / f), "file_name": f, "year": year} for f in found.get(source, [])]


def ingest(source: str, path: str, file_name: str, year: int) -> dict:
    from edu_quality.pipeline.ingest import ingest_file

    with _year_shared(year):
        stats = ingest_file(engine(), year, source, Path(path), file_name)
    return stats.as_dict()


def build_data_docs() -> str | None:
    from edu_quality.validation.gx_runner import SuiteRunner

    url = SuiteRunner(data_docs=True).build_data_docs()  # the last results of each suite only
    log.info("Great Expectations Data Docs: %s", url)
    return url


def compute_indicators(year: int) -> dict:
    """The schools of described sources resolved (warehouse/resolve.py), then the year's indicators."""
    from edu_quality.indicators.compute import compute_year
    from edu_quality.warehouse.resolve import resolve_year

    with _year_exclusive(year):
        matched = resolve_year(engine(), year)
        return {**compute_year(engine(), year), **({"school_match": matched} if matched else {})}


def analyse(year: int) -> dict:
    from edu_quality.analysis import analyse_year
    from edu_quality.recommendations.catalogue import rule_conditions

    with _year_exclusive(year):
        # The effect of last year's measures is judged on the indicators the catalogue's rules target.
        return analyse_year(engine(), year, conditions=rule_conditions())


def choose_recommendations(year: int, issued_on: str) -> int:
    from edu_quality.recommendations.choose import choose

    with _year_exclusive(year):
        return choose(engine(), year, date.fromisoformat(issued_on))


def municipalities(year: int) -> list[str]:
    with _year_exclusive(year), engine().begin() as conn:
        # Documents of schools no longer in the year's reference are not the year's documents.
        conn.execute(text("delete from core.document where year = :y and unit_code not in "
                          "(select school_code from core.school where year = :y)"), {"y": year})
        return [r[0] for r in conn.execute(text(
            "select municipality_code from core.municipality where year = :y order by 1"), {"y": year})]


def render_municipality(year: int, municipality_code: str, output: str, issued_on: str) -> int:
    """One municipality's documents: each school's recommendations, the analytical report, the draft order."""
    with _year_shared(year):
        return _render_municipality(year, municipality_code, Path(output), date.fromisoformat(issued_on))


def _render_municipality(year: int, code: str, output: Path, day: date, refs=None) -> int:
    from edu_quality.documents.render import render_schools
    from edu_quality.documents.reports import municipality_documents

    def reports():  # made when the pool has the schools: their context is read while the workers write
        yield from municipality_documents(engine(), year, code, output, day)

    with advisory_lock(engine(), "documents", year, code):
        return render_schools(engine(), year, output, day, only_municipality=code, then=reports(), refs=refs)


def render_municipalities(year: int, output: str, issued_on: str, progress=None) -> int:
    """Every municipality's documents, one after another in one pool of processes, with what their schools'
    documents share read once (the DAG maps them as tasks instead); `progress(done, total)` after each."""
    from edu_quality.documents.render import references
    from edu_quality.documents.writer import shared_pool

    codes, written, day = municipalities(year), 0, date.fromisoformat(issued_on)
    with _year_shared(year), shared_pool():  # the year held once: what was read once stays the year's
        with engine().connect() as conn:
            refs = references(conn, year)
        for i, code in enumerate(codes, 1):
            written += _render_municipality(year, code, Path(output), day, refs)
            if progress:
                progress(i, len(codes))
    return written


def publish(year: int, output: str, issued_on: str) -> str:
    """The regional report, then the index of every document of the year."""
    from edu_quality.documents.reports import render_region, write_publication_index

    with _year_shared(year), advisory_lock(engine(), "documents", year, "region"):
        render_region(engine(), year, Path(output), date.fromisoformat(issued_on))
        write_school_match(year, output)
        return str(write_publication_index(engine(), year, Path(output)))


MATCH_CSV = "сопоставление_школ.csv"


def write_school_match(year: int, output: str) -> Path | None:
    """How the rows of described sources were resolved to the year's schools (mart.school_match), as a list
    to open in Excel; none when no described source maps into schools."""
    path = Path(output) / str(year) / MATCH_CSV
    with engine().connect() as conn:
        rows = conn.execute(text(
            "select source, file_name, row_number, source_name, status, rule, institution_kind, municipality_code, "
            "school_code, school_name, reason_ru from mart.school_match where year = :y "
            "order by source, status, row_number"), {"y": year}).all()
    if not rows:
        path.unlink(missing_ok=True)
        return None
    return _write_csv(path, ["Источник", "Файл", "Строка", "Наименование в файле", "Результат", "Правило",
                             "Вид организации", "МО", "Код ОО", "Школа года", "Основание"], [tuple(r) for r in rows])


def _data_scope(conn, year: int) -> dict:
    """For the summary: how the rows of described sources matched the year's schools, and the analyses the
    year's data do not allow with what they lack (each only when there is something to say)."""
    school_match = {f"{r.source}: {r.status}": r.n for r in conn.execute(text(
        "select source, status, count(*) as n from mart.school_match where year = :y group by 1, 2 order by 1, 2"),
        {"y": year})}
    not_analysed = [dict(r) for r in conn.execute(text(
        "select name_ru, missing_ru from mart.analysis_coverage where year = :y and not done order by position"),
        {"y": year}).mappings()]
    return {**({"school_match": school_match} if school_match else {}),
            **({"analyses_not_possible": not_analysed} if not_analysed else {})}


def summarize(year: int, output: str, data_docs: str | None, run_id: str | None = None) -> dict:
    with engine().connect() as conn:
        files = conn.execute(text(
            "select coalesce(sum(files), 0) as files, coalesce(sum(files_loaded), 0) as loaded_files, "
            "coalesce(sum(files_rejected), 0) as rejected_files, coalesce(sum(rows_read), 0) as rows_read, "
            "coalesce(sum(rows_loaded), 0) as rows_loaded, coalesce(sum(rows_quarantined), 0) as rows_quarantined "
            "from mart.load_quality where year = :y"), {"y": year}).mappings().one()
        rejected = [dict(r) for r in conn.execute(text(
            "select file_name, message from core.load_log l where year = :y and status = 'rejected' "
            "and not exists (select 1 from core.load_log n where n.year = l.year and n.file_name = l.file_name "
            " and n.source = l.source and n.load_id > l.load_id) order by file_name"), {"y": year}).mappings()]
        indicators = conn.execute(text(
            "select count(distinct indicator_code), count(*) from core.indicator_value where year = :y"),
            {"y": year}).one()
        documents = conn.execute(text(
            "select count(*), count(distinct unit_code) filter (where kind = 'school_recommendations') "
            "from core.document where year = :y"), {"y": year}).one()
        status = conn.execute(text(
            "select count(*) filter (where low_results), count(*) filter (where unfavorable_conditions), "
            "count(*) filter (where biased_results_suspected) from mart.school_status where year = :y"),
            {"y": year}).one()
        recommendations = conn.execute(text(
            "select count(*) from core.recommendation where year = :y"), {"y": year}).scalar_one()
        not_read = [dict(r) for r in conn.execute(text(
            "select file_name, reason_ru from core.inbox_file where year = :y and status <> 'source' "
            "order by file_name"), {"y": year}).mappings()]
        data_issues = conn.execute(text(
            "select count(*) from mart.data_issues where year = :y"), {"y": year}).scalar_one()
        scope = _data_scope(conn, year)
    summary = {
        "year": year,
        "files_read": int(files["files"]),
        "files_loaded": int(files["loaded_files"]), "files_rejected": int(files["rejected_files"]),
        "rejected": rejected,
        "rows_read": int(files["rows_read"]), "rows_loaded": int(files["rows_loaded"]),
        "rows_quarantined": int(files["rows_quarantined"]),
        "data_issues": int(data_issues),
        "files_not_read": not_read,
        "indicators": indicators[0], "indicator_values": indicators[1],
        "recommendations": recommendations,
        "documents": documents[0], "documents_for_schools": documents[1],
        "low_result_schools": status[0], "unfavorable_schools": status[1], "biased_suspected_schools": status[2],
        "publication_index": str(Path(output) / str(year) / "index.html"),
        "documents_dir": str(Path(output) / str(year)),
        "data_docs": data_docs,
        **scope,
    }
    if run_id:
        from edu_quality.pipeline.campaign import record_cycle_run

        record_cycle_run(engine(), year, run_id, summary)
    path = Path(output) / str(year) / "run_summary.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    log.info("итог цикла %s: %s", year, summary)
    return summary


def default_paths() -> dict:
    return {"inbox": str(PATHS.default_inbox), "output": str(PATHS.default_output)}


def check_deadline(day: date, year: int | None = None) -> dict:
    """The campaign deadline as of `day`: recorded in mart.campaign_deadline and returned."""
    from edu_quality.pipeline import campaign

    year = year or campaign.campaign_year(day)
    state = campaign.evaluate(year, day, campaign.finished_on(engine(), year))
    campaign.record_check(engine(), state)
    (log.error if state.fires else log.warning if state.status == "at_risk" else log.info)(state.message_ru)
    return {**state.__dict__, "checked_on": state.checked_on.isoformat(), "deadline": state.deadline.isoformat(),
            "fires": state.fires}


# A cell a spreadsheet would run as a formula (`=HYPERLINK(…)`, `+1`, `@SUM`, a leading tab or CR): shown as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """Text that Excel or LibreOffice would take for a formula gets a leading apostrophe (the spreadsheet's own
    "this is text" mark); numbers and dates stay as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _write_csv(path: Path, header: list[str], rows) -> Path:
    """A list for people to open in Excel as it is: UTF-8 with a BOM, cells separated by `;`, no cell a formula."""
    import csv

    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f, delimiter=";")
        writer.writerow(header)
        writer.writerows([spreadsheet_safe(v) for v in row] for row in rows)
    return path


def follow_up(year: int, output: str) -> dict:
    """Who is late with the one-month review and the action plans: a CSV to send, and counts."""
    with engine().connect() as conn:
        rows = conn.execute(text(
            "select f.level, f.unit_code, coalesce(s.school_name, m.municipality_name) as name, "
            "f.recommendation_code, f.recommendation_due, f.measure_due, f.status_ru "
            "from mart.follow_up f "
            "left join core.school s on s.year = f.year and s.school_code = f.unit_code "
            "left join core.municipality m on m.year = f.year and m.municipality_code = f.unit_code "
            "where f.year = :y and f.late order by f.level, f.unit_code, f.recommendation_code"),
            {"y": year}).all()
        total = conn.execute(text("select count(*) from mart.follow_up where year = :y"), {"y": year}).scalar_one()
    path = _write_csv(
        Path(output) / str(year) / "контроль_исполнения_просрочено.csv",
        ["Уровень", "Код", "Наименование", "Рекомендация", "Срок рекомендации", "Срок меры", "Состояние"],
        [[r.level, r.unit_code, r.name, r.recommendation_code, r.recommendation_due.strftime("%d.%m.%Y"),
          r.measure_due.strftime("%d.%m.%Y") if r.measure_due else "", r.status_ru] for r in rows])
    log.info("контроль исполнения за %s: рекомендаций %d, просрочено %d; список: %s", year, total, len(rows), path)
    return {"recommendations": total, "late": len(rows), "list": str(path)}


def reminders(year: int, output: str) -> dict:
    """Schools that have not sent a required source: a CSV the operator can send."""
    with engine().connect() as conn:
        rows = conn.execute(text(
            "select municipality_code, school_code, school_name, head_name, missing_sources, days_to_deadline "
            "from mart.campaign_reminders where year = :y order by 1, 2"), {"y": year}).all()
    path = _write_csv(
        Path(output) / str(year) / "напоминания_о_непредставленных_данных.csv",
        ["Код МО", "Код ОО", "Наименование ОО", "Руководитель", "Не представлено", "Дней до срока"],
        [tuple(r) for r in rows])
    log.info("напоминания за %s: %d школ не прислали обязательные данные; список: %s", year, len(rows), path)
    return {"schools": len(rows), "list": str(path)}


def refresh_outputs(year: int, output: str, issued_on: str) -> dict:
    """Everything downstream of the sources for one year: indicators, recommendations, documents."""
    indicators = compute_indicators(year)
    analysis = analyse(year)
    recommendations = choose_recommendations(year, issued_on)
    documents = render_municipalities(year, output, issued_on)
    publish(year, output, issued_on)
    return {"year": year, **indicators, "analysis": analysis, "recommendations": recommendations,
            "documents": documents}
