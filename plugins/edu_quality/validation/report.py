"""`edu-quality validate`: check one file against the contract without loading it, and say what is
wrong row by row, in Russian or English as the user's locale prefers."""
from __future__ import annotations

import locale
import os
from pathlib import Path

from edu_quality.sources.contract import RULE_TEXT_EN, RULE_TEXT_RU
from edu_quality.sources.files import FileRejected, inspect
from edu_quality.sources.registry import description, source_by_name
from edu_quality.validation.frame import Context
from edu_quality.validation.verdict import failure_text

MAX_ROWS_SHOWN = 200


def prefers_russian() -> bool:
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(var)
        if value:
            return value.lower().startswith("ru")
    lang = locale.getlocale()[0] or ""
    return lang.lower().startswith("ru")


def _reference_rows(path: Path, source_name: str, ctx: Context):
    """The good rows of a reference file (schools, scales, thresholds), read the same way as in a run."""
    import pandas as pd

    from edu_quality.validation.chunks import validate_chunks
    from edu_quality.validation.gx_runner import SuiteRunner

    shape = inspect(path, source_by_name(source_name))
    parts = [prepared.frame[~prepared.frame["_row"].isin(list(by_row))]
             for prepared, by_row in validate_chunks(shape, source_name, ctx, SuiteRunner(data_docs=False))]
    return pd.concat(parts) if parts else None


def find_reference(path: Path, source_name: str) -> Path | None:
    """A reference beside the file in the inbox layout: <inbox>/<year>/{schools,vpr_scales,...}.*"""
    for folder in (path.parent, path.parent.parent):
        for candidate in sorted(folder.glob(f"{source_name}.*")):
            if candidate.suffix.lower() in (".csv", ".txt", ".xlsx"):
                return candidate
    return None


def validate_file(path: Path, source_name: str, year: int, schools: Path | None = None,
                  russian: bool | None = None, out=print, scales: Path | None = None) -> int:
    """0: the file would load (possibly with quarantined rows); 1: it would be rejected whole."""
    from edu_quality.validation.chunks import describe_shape

    ru = prefers_russian() if russian is None else russian
    texts = RULE_TEXT_RU if ru else RULE_TEXT_EN
    source = source_by_name(source_name)
    try:
        shape = inspect(path, source)
    except FileRejected as exc:
        out(f"Файл {path.name} будет отклонён: {exc.reason_ru}" if ru
             else f"File {path.name} would be rejected: {exc.reason_en}")
        return 1
    ctx = Context(year=year)
    refs = description(source_name).references
    schools = schools or (find_reference(path, "schools") if "schools" in refs else None)
    checks_schools = schools is not None
    if checks_schools:
        rows = _reference_rows(schools, "schools", Context(year=year))
        ctx.school_codes = sorted(rows["school_code"].dropna().astype(str).unique()) if rows is not None else []
        ctx.municipality_codes = sorted(rows["municipality_code"].dropna().astype(str).unique()) \
            if rows is not None else []
        out(f"коды ОО сверяются со справочником {schools}" if ru else f"school codes checked against {schools}")
    for ref_name in (r for r in refs if description(r).context):  # the scales a rule reads
        ref = scales or find_reference(path, ref_name)
        if ref is not None:
            rows = _reference_rows(ref, ref_name, Context(year=year))
            if rows is not None:
                ctx.references[ref_name] = rows
            out(f"шкалы: {ref}" if ru else f"scales: {ref}")
    out(f"{path.name}: {describe_shape(shape)}")
    try:
        read, bad, shown = _report_rows(shape, source_name, ctx, checks_schools, texts, ru, out)
    except FileRejected as exc:  # unreadable past its header: the load would reject it whole
        out(f"Файл {path.name} будет отклонён: {exc.reason_ru}" if ru
             else f"File {path.name} would be rejected: {exc.reason_en}")
        return 1
    if not checks_schools and "schools" in refs:
        out("  (коды ОО не сверялись со справочником: укажите --schools FILE)" if ru
            else "  (school codes not checked against the reference: pass --schools FILE)")
    if bad > shown:
        out(f"  … {'и ещё' if ru else 'and'} {bad - shown}")
    out(f"Итого: прочитано {read}, будет загружено {read - bad}, в карантин {bad}." if ru
         else f"Total: {read} read, {read - bad} would load, {bad} would be quarantined.")
    return 0


def _report_rows(shape, source_name: str, ctx: Context, checks_schools: bool, texts: dict, ru: bool,
                 out) -> tuple[int, int, int]:
    from edu_quality.validation.chunks import validate_chunks
    from edu_quality.validation.gx_runner import SuiteRunner

    read = bad = shown = 0
    for prepared, by_row in validate_chunks(shape, source_name, ctx, SuiteRunner(data_docs=False)):
        read += len(prepared.frame)
        for number in sorted(by_row):
            failures = [f for f in by_row[number] if checks_schools or f.rule != "unknown_school"]
            if not failures:
                continue
            bad += 1
            if shown < MAX_ROWS_SHOWN:
                shown += 1
                what = "; ".join(failure_text(f, texts) for f in failures)
                out(f"  {'строка' if ru else 'row'} {number}: {what}")
    return read, bad, shown
