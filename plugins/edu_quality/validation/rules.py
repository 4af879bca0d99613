"""Rules that need code, by the names source descriptions list under `prepare:` (include/sources/*.yaml).

Each adds derived columns to a prepared chunk (`_tasks_sum`, `_scale_mark`, `_mo_name_conflict`, …) that the
source's checks compare or expect empty, so the verdict stays in Great Expectations and its Data Docs.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

import numpy as np
import pandas as pd

from edu_quality.sources import cells
from edu_quality.sources import headers as hdr
from edu_quality.sources.codes import canonical, differences
from edu_quality.sources.contract import GIA_FORMS
from edu_quality.validation.frame import Context, Prepared, failing_headers, mark_from_scale, school_code_findings

Rule = Callable[[pd.DataFrame, object, Prepared, Context], None]
RULES: dict[str, Rule] = {}
_LEADING_INT = re.compile(r"^\s*(\d+)")


def rule(name: str) -> Callable[[Rule], Rule]:
    def register(function: Rule) -> Rule:
        RULES[name] = function
        return function
    return register


def rule_function(name: str) -> Rule:
    try:
        return RULES[name]
    except KeyError:
        raise KeyError(f"no rule {name!r} in validation/rules.py (named under `prepare:` of a source description)") \
            from None


def rule_problems(project=None) -> list:
    """`edu-quality check`: every rule a description names under `prepare:` exists here."""
    from edu_quality.checks import read_yaml, similar
    from edu_quality.config import PATHS

    project = project or PATHS.root
    problems = []
    for path in sorted((project / "include" / "sources").glob("*.yaml")):
        doc, _ = read_yaml(path, project)  # unreadable files are the descriptions' check's to report
        names = (doc.data or {}).get("prepare") if doc is not None and isinstance(doc.data, dict) else None
        for i, name in enumerate(names if isinstance(names, list) else []):
            if name not in RULES:
                problems.append(doc.problem(("prepare", i), f"правила «{name}» нет в validation/rules.py"
                                                            f"{similar(str(name), RULES)}"))
    return problems


# --- Shared ------------------------------------------------------------------------------------------

@rule("year_matches")
def year_matches(chunk, shape, p: Prepared, ctx: Context) -> None:
    """A file that carries its own year must carry the inbox year."""
    f = p.frame
    f["_year_mismatch"] = f["year"].astype("string").where((f["year"] != ctx.year).fillna(False))


# --- Schools -----------------------------------------------------------------------------------------

@rule("schools_municipality_names")
def schools_municipality_names(chunk, shape, p: Prepared, ctx: Context) -> None:
    """One name per municipality code: the name most rows give wins (the first of equals), so one row with a
    typo is the odd one out rather than the eight rows that agree."""
    f = p.frame
    pairs = [(c, n) for c, n in zip(f["municipality_code"].tolist(), f["municipality_name"].tolist())
             if isinstance(c, str) and isinstance(n, str)]
    counts = Counter(pairs)
    first_at: dict = {}
    for i, pair in enumerate(pairs):
        first_at.setdefault(pair, i)
    for code, name in sorted(counts, key=lambda cn: (-counts[cn], first_at[cn])):
        ctx.first_names.setdefault(code, name)
    conflicts = []
    for code, name in zip(f["municipality_code"].tolist(), f["municipality_name"].tolist()):
        if not isinstance(code, str) or not isinstance(name, str):
            conflicts.append(None)
            continue
        first = ctx.first_names[code]
        conflicts.append(None if first == name else f"{code}: {first} / {name}")
    f["_mo_name_conflict"] = pd.Series(conflicts, index=f.index, dtype=object)


@rule("schools_lookalike_codes")
def schools_lookalike_codes(chunk, shape, p: Prepared, ctx: Context) -> None:
    """A code that differs from an earlier one of the reference only in look-alike letters, case or invisible
    characters is the same school written twice: its row is a repeat, and the message names the first."""
    f = p.frame
    found = []
    for code in f["school_code"].astype(object).tolist():
        if not isinstance(code, str):
            found.append(None)
            continue
        first = ctx.first_codes.setdefault(canonical(code), code)
        found.append(differences(code, first) if first != code else None)
    f["_code_lookalike"] = pd.Series(found, index=f.index, dtype=object)


def future_dates(f: pd.DataFrame, column: str, flag: str, ctx: Context) -> None:
    """`flag`: the cell of `column` where its date lies after the run's day (a date that cannot have happened)."""
    future = pd.to_datetime(f[column]) > pd.Timestamp(ctx.today)
    f[flag] = f[column].astype("string").where(future.fillna(False))


@rule("schools_head_date")
def schools_head_date(chunk, shape, p: Prepared, ctx: Context) -> None:
    future_dates(p.frame, "head_appointed_on", "_head_date_future", ctx)


# --- ВПР ---------------------------------------------------------------------------------------------

@rule("scale_bounds")
def scale_bounds(chunk, shape, p: Prepared, ctx: Context) -> None:
    f = p.frame
    order = (f["min_score_3"] < f["min_score_4"]) & (f["min_score_4"] < f["min_score_5"]) \
        & (f["min_score_5"] <= f["max_score"]) & (f["min_score_3"] > 0)
    f["_bounds_order"] = f["min_score_3"].astype("string").where(~order.fillna(True))


@rule("vpr_tasks")
def vpr_tasks(chunk, shape, p: Prepared, ctx: Context) -> None:
    """Task columns (`12К1 (2б)`): each parsed, summed, and checked against its maximum."""
    f = p.frame
    tasks: list[tuple[str, str, int]] = []
    sums = pd.Series(0.0, index=f.index)
    bad_masks: list[tuple[str, np.ndarray]] = []
    range_masks: list[tuple[str, np.ndarray]] = []
    for i, h in enumerate(shape.headers):
        parsed = hdr.task_header(h)
        if parsed is None:
            continue
        task_id, max_score = parsed
        column = f"task_{len(tasks)}"
        values, bad = cells.parse_task_score_distinct(chunk[f"c{i}"])
        f[column] = values
        numbers = values.astype("float64")
        sums = sums + numbers
        bad_masks.append((h, bad.to_numpy(dtype=bool, na_value=False)))
        with np.errstate(invalid="ignore"):
            range_masks.append((h, ((numbers < 0) | (numbers > max_score)).to_numpy(dtype=bool, na_value=False)))
        tasks.append((column, task_id, max_score))
        p.headers[column] = h
    p.task_columns = tasks
    f["_tasks_sum"] = sums if tasks else np.nan
    # Each file has its own task columns; two derived columns name the failing headers, so one reviewed
    # suite serves every ВПР file (two expectations, not two per task: GX's cost is per expectation).
    f["_task_bad_type"] = failing_headers(bad_masks, f.index)
    f["_task_out_of_range"] = failing_headers(range_masks, f.index)


@rule("vpr_class_grade")
def vpr_class_grade(chunk, shape, p: Prepared, ctx: Context) -> None:
    f = p.frame
    f["_class_grade"] = pd.to_numeric(
        f["class_label"].astype("string").str.extract(_LEADING_INT)[0], errors="coerce")


@rule("vpr_scale")
def vpr_scale(chunk, shape, p: Prepared, ctx: Context) -> None:
    """The year's scale of the subject and grade: the maximum score and the mark the score earns."""
    f = p.frame
    scales = ctx.reference("vpr_scales")
    keys = pd.DataFrame({"subject": f["subject"].astype("object"),
                         "grade": f["grade"].astype("float64")})
    sc = scales.assign(grade=scales["grade"].astype("float64"), subject=scales["subject"].astype("object"))
    joined = keys.merge(sc, on=["subject", "grade"], how="left")
    joined.index = f.index
    f["_scale_max"] = joined["max_score"].astype("float64")
    f["_scale_mark"] = mark_from_scale(f["primary_score"], joined["min_score_3"], joined["min_score_4"],
                                        joined["min_score_5"])
    no_scale = joined["max_score"].isna() & f["subject"].notna() & f["grade"].notna()
    f["_no_scale"] = (f["subject"].astype("string") + " " + f["grade"].astype("string")).where(no_scale)


# --- ГИА ---------------------------------------------------------------------------------------------

@rule("gia_threshold_bounds")
def gia_threshold_bounds(chunk, shape, p: Prepared, ctx: Context) -> None:
    f = p.frame
    ege_test = (f["exam_form"] == "ЕГЭ") & (f["subject"] != "Математика базовая")
    has_bounds = f["min_score_3"].notna() & f["min_score_4"].notna() & f["min_score_5"].notna()
    order = (f["min_score_3"] < f["min_score_4"]) & (f["min_score_4"] < f["min_score_5"])
    f["_bounds_order"] = f["min_score_3"].astype("string").where((has_bounds & ~order).fillna(False))
    f["_min_test_missing"] = f["subject"].where((ege_test & f["min_test_score"].isna()).fillna(False))
    f["_bounds_missing"] = f["subject"].where((~ege_test & ~has_bounds).fillna(False))


def _gia_kinds(f: pd.DataFrame) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series]:
    """(form, subject, scored, marked): ЕГЭ gives a test score (0–100), except «Математика базовая», which,
    like ОГЭ and ГВЭ, gives a mark."""
    form, subject = f["exam_form"].astype("string"), f["subject"].astype("string")
    scored = ((form == "ЕГЭ") & (subject != "Математика базовая")).fillna(False)
    marked = (form.isin(["ОГЭ", "ГВЭ"]) | ((form == "ЕГЭ") & (subject == "Математика базовая"))).fillna(False)
    return form, subject, scored, marked


@rule("gia_form_fields")
def gia_form_fields(chunk, shape, p: Prepared, ctx: Context) -> None:
    f = p.frame
    form, subject, scored, marked = _gia_kinds(f)
    f["_test_score_unexpected"] = f["test_score"].astype("string").where(
        ~scored & form.isin(GIA_FORMS).fillna(False) & f["test_score"].notna())
    f["_test_score_missing"] = subject.where(scored & f["test_score"].isna() & f["test_score__bad"].isna())
    known_form = form.isin(GIA_FORMS).fillna(False)  # an unknown form is its own error, not this one
    f["_mark_unexpected"] = f["mark"].astype("string").where(~marked & known_form & f["mark"].notna())
    f["_mark_missing"] = subject.where(marked & f["mark"].isna() & f["mark__bad"].isna())


@rule("gia_exam_window")
def gia_exam_window(chunk, shape, p: Prepared, ctx: Context) -> None:
    f = p.frame
    start, end = pd.Timestamp(ctx.year - 1, 9, 1), pd.Timestamp(ctx.year, 9, 30)
    outside = (f["exam_date"] < start) | (f["exam_date"] > end)
    f["_date_out_of_window"] = f["exam_date"].dt.strftime("%d.%m.%Y").where(outside.fillna(False))


@rule("gia_threshold_mark")
def gia_threshold_mark(chunk, shape, p: Prepared, ctx: Context) -> None:
    f = p.frame
    form, subject, _, marked = _gia_kinds(f)
    thresholds = ctx.reference("gia_thresholds")
    keys = pd.DataFrame({"exam_form": form.astype("object"), "subject": subject.astype("object")})
    joined = keys.merge(thresholds, on=["exam_form", "subject"], how="left")
    joined.index = f.index
    bounds = joined[["min_score_3", "min_score_4", "min_score_5"]].astype("float64")
    expected = mark_from_scale(f["primary_score"], bounds["min_score_3"], bounds["min_score_4"],
                                bounds["min_score_5"])
    f["_threshold_mark"] = expected.where(marked)


# --- Staff, measures ---------------------------------------------------------------------------------

@rule("teachers_experience_vs_age")
def teachers_experience_vs_age(chunk, shape, p: Prepared, ctx: Context) -> None:
    f = p.frame
    older = (f["experience_years"] > f["age_years"] - 14)
    f["_experience_vs_age"] = f["experience_years"].astype("string").where(older.fillna(False))


@rule("measures_year")
def measures_year(chunk, shape, p: Prepared, ctx: Context) -> None:
    f = p.frame
    # Measures of year Y answer recommendations of Y−1: either year may be written.
    f["_year_mismatch"] = f["year"].astype("string").where(~f["year"].isin([ctx.year - 1, ctx.year]).fillna(True)
                                                           & f["year"].notna())


@rule("measures_unknown_school")
def measures_unknown_school(chunk, shape, p: Prepared, ctx: Context) -> None:
    f = p.frame
    school = (f["level"] == "ОО").fillna(False)
    school_code_findings(f, f["unit_code"].where(school, None), ctx)


# --- Heads, municipal monitoring ----------------------------------------------------------------

@rule("heads_assessment_date")
def heads_assessment_date(chunk, shape, p: Prepared, ctx: Context) -> None:
    """The last assessment of the head's competences cannot lie in the future."""
    future_dates(p.frame, "assessed_on", "_assessed_future", ctx)


@rule("monitoring_unknown_municipality")
def monitoring_unknown_municipality(chunk, shape, p: Prepared, ctx: Context) -> None:
    """A municipality code that no row of the year's schools reference names."""
    f = p.frame
    known = set(ctx.municipality_codes)
    f["_unknown_municipality"] = pd.Series(
        [c if isinstance(c, str) and c not in known else None for c in f["municipality_code"].astype(object)],
        index=f.index, dtype=object)


# --- Самообследование --------------------------------------------------------------------------------

# Which count a stated share is a share of: pupils (1.1) or teaching staff (1.24). Shares of
# graduates (1.10–1.17) have no base in the form and are not cross-checked.
SHARE_BASES = {**{f"1.{i}": "1.1" for i in (5, 18, 19, 20, 21, 22, 23)},
               **{c: "1.1" for c in ("1.19.1", "1.19.2", "1.19.3", "2.5")},
               **{f"1.{i}": "1.24" for i in range(25, 35)},
               **{c: "1.24" for c in ("1.29.1", "1.29.2", "1.30.1", "1.30.2")}}
SHARE_TOLERANCE_PP = 1.5  # percentage points: rounding in the form plus a counted-on-another-date margin


@rule("self_evaluation_indicators")
def self_evaluation_indicators(chunk, shape, p: Prepared, ctx: Context) -> None:
    f = p.frame
    submitted = pd.to_datetime(f["submitted_at"].astype("string").str.strip(), format="mixed",
                               dayfirst=True, errors="coerce")
    f["_submitted"] = submitted
    f["_submitted__bad"] = f["submitted_at"].where(submitted.isna() & f["submitted_at"].notna())
    # The latest submission of a school wins; earlier ones are accounted for as superseded.
    order = pd.DataFrame({"school": f["school_code"].astype("object"), "at": submitted, "row": f["_row"]})
    latest = order.sort_values(["at", "row"]).groupby("school", dropna=True).tail(1)["row"]
    f["_superseded"] = f["school_code"].astype("string").where(
        ~f["_row"].isin(latest) & f["school_code"].notna())
    # A school whose self-evaluation another file of the year already brought: a repeat, not an update.
    f["_repeat"] = f["school_code"].astype("string").where(ctx.seen(f["school_code"].astype(object).tolist()))
    items: list[tuple[str, str, str]] = []  # (column, indicator code, header)
    for i, h in enumerate(shape.headers):
        code = hdr.self_evaluation_code(h)
        if code is None or any(code == c for _, c, _ in items):
            continue  # not an indicator, or a repeated number (the first column of it counts)
        column = f"ind_{len(items)}"
        raw = chunk[f"c{i}"]
        count, share, bad = cells.parse_count_share_distinct(raw)
        flag, bad_flag = cells.parse_bool(raw)
        is_flag = flag.notna()
        f[f"{column}__text"] = cells.parse_text(raw)[0]
        f[f"{column}__count"] = count.where(~is_flag)
        f[f"{column}__share"] = share.where(~is_flag)
        f[f"{column}__flag"] = flag
        f[f"{column}__bad"] = raw.where(bad & ~is_flag)
        items.append((column, code, h))
        p.headers[column] = h
        p.extra_expectations.append(
            {"type": "expect_column_values_to_be_null", "kwargs": {"column": f"{column}__bad"},
             "meta": {"rule": "bad_type", "column": h}})
        if share.notna().any():
            p.extra_expectations.append(
                {"type": "expect_column_values_to_be_between",
                 "kwargs": {"column": f"{column}__share", "min_value": 0, "max_value": 100},
                 "meta": {"rule": "out_of_range", "column": h}})
    p.task_columns = items  # reused by the loader: the indicator columns of this file
    by_code = {code: column for column, code, _ in items}
    for column, code, h in items:
        base = SHARE_BASES.get(code)
        if base is None or base not in by_code:
            continue
        total = f[f"{by_code[base]}__count"].astype("float64")
        stated = f[f"{column}__share"].astype("float64")
        computed = f[f"{column}__count"].astype("float64") / total.where(total > 0) * 100
        f[f"{column}__share_gap"] = (stated - computed).abs()
        p.extra_expectations.append(
            {"type": "expect_column_values_to_be_between",
             "kwargs": {"column": f"{column}__share_gap", "min_value": 0, "max_value": SHARE_TOLERANCE_PP},
             "meta": {"rule": "share_count_mismatch", "column": h}})
