"""Running the reviewed suites under expectations/ with Great Expectations, and turning its
unexpected rows into quarantine entries (row, column, rule).

A file-mode GX project under the project's home keeps validation results and builds Data Docs on
every run, so a data engineer can open them. GX is imported here only: it takes seconds to import.

Housekeeping: GX stores one result per validation (each chunk of each file) and Data Docs renders a page
per stored result, so both would grow without end. Only the last KEEP_RESULTS_PER_SUITE results of each
suite are kept (older ones are removed as new ones arrive), and Data Docs holds pages for those only.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from edu_quality.config import PATHS
from edu_quality.validation.frame import HEADERS_SEPARATOR

log = logging.getLogger(__name__)
ROW = "_row"
# Validation results kept per suite (and so Data Docs pages per suite): the latest runs of a year's files.
KEEP_RESULTS_PER_SUITE = 10


@dataclass
class RowFailure:
    row_number: int
    column: str   # the header as the file writes it
    rule: str
    detail: str | None = None  # what exactly (a check's `detail_from` column: «похоже на OO0101…»)


def load_suite_json(source: str) -> dict:
    """The suite a source's description defines (expectations/<source>.json is the same, written for review)."""
    from edu_quality.sources.registry import description

    return description(source).suite()


def referenced_columns(expectations: list[dict]) -> set[str]:
    """The columns a suite reads (GX gets only these: converting the rest costs time for nothing)."""
    names = {ROW}
    for e in expectations:
        for key, value in e.get("kwargs", {}).items():
            if key in ("column", "column_A", "column_B"):
                names.add(value)
            elif key == "column_list":
                names.update(value)
    return names


def _gx_frame(frame: pd.DataFrame, columns: set[str] | None = None) -> pd.DataFrame:
    """Plain numpy dtypes for GX: extension dtypes with pd.NA trip some of its metrics."""
    out = {}
    for name, col in frame.items():
        if name == "_raw" or (columns is not None and name not in columns):
            continue
        if isinstance(col.dtype, (pd.Int64Dtype, pd.Float64Dtype)) or col.dtype.kind in "iuf":
            out[name] = col.astype("float64")
        elif col.dtype.kind == "M":
            out[name] = col
        else:
            out[name] = col.astype("object").where(col.notna(), None)
    return pd.DataFrame(out, index=frame.index)


class SuiteRunner:
    """One GX context per process; `validate` runs one source's suite on one frame."""

    def __init__(self, root: Path | None = None, data_docs: bool = True, keep: int = KEEP_RESULTS_PER_SUITE):
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
        import great_expectations as gx

        self.gx = gx
        self.root = root or PATHS.gx_root
        self.root.mkdir(parents=True, exist_ok=True)
        self.data_docs = data_docs
        self.keep = keep
        self._checkpoints: dict = {}
        with self._project_lock():
            self.context = gx.get_context(mode="file", project_root_dir=str(self.root))
            quiet = {"globally": False, "metric_calculations": False}
            try:
                if self.context.variables.progress_bars != quiet:  # saving rewrites great_expectations.yml
                    self.context.variables.progress_bars = quiet
                    self.context.variables.save()
            except Exception:  # older/newer variable shapes: progress bars only cost log noise
                log.debug("could not turn GX progress bars off", exc_info=True)
            try:  # keep the stored one: replacing it would orphan the stored checkpoints' assets
                self.datasource = self.context.data_sources.get("edu_quality_inbox")
            except (KeyError, ValueError, LookupError):
                self.datasource = self.context.data_sources.add_pandas("edu_quality_inbox")

    @contextmanager
    def _project_lock(self):
        """GX rewrites great_expectations.yml in place when a context is set up or an asset, suite or
        checkpoint is registered; tasks running at once (Airflow's mapped ingests, Celery workers) read
        it half-written. One process at a time does either; validating runs unlocked."""
        with (self.root / ".edu_quality.lock").open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _checkpoint(self, source: str, suite_doc: dict, extra: list[dict]):
        """One checkpoint per distinct suite (a source's JSON plus a file's own task columns), named by
        its content, so files with the same layout reuse it instead of re-registering it (slow in GX)."""
        expectations = suite_doc["expectations"] + extra
        digest = hashlib.sha256(json.dumps(expectations, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
        name = f"{source}-{digest[:12]}"
        if name in self._checkpoints:
            return self._checkpoints[name]
        with self._project_lock():
            self._checkpoints[name] = self._stored_or_registered(name, source, suite_doc, expectations)
        return self._checkpoints[name]

    def _stored_or_registered(self, name: str, source: str, suite_doc: dict, expectations: list[dict]):
        gx = self.gx
        checkpoint_name = name if self.data_docs else f"{name}-nodocs"
        try:  # stored by an earlier process (every Airflow task is one): registering again costs seconds
            return self.context.checkpoints.get(checkpoint_name)
        except Exception:  # not stored yet: GX raises its own not-found errors
            pass
        try:
            suite = self.context.suites.get(name)
        except Exception:  # not stored yet: GX raises its own not-found errors
            suite = self.context.suites.add(gx.ExpectationSuite(
                name=name, expectations=expectations, meta={**suite_doc.get("meta", {}), "source": source}))
        try:
            asset = self.datasource.get_asset(source)
        except LookupError:
            asset = self.datasource.add_dataframe_asset(source)
        batch = next((b for b in asset.batch_definitions if b.name == "whole"), None) \
            or asset.add_batch_definition_whole_dataframe("whole")
        definition = self.context.validation_definitions.add_or_update(
            gx.ValidationDefinition(name=name, data=batch, suite=suite))
        actions = [gx.checkpoint.UpdateDataDocsAction(name="data_docs")] if self.data_docs else []
        checkpoint = self.context.checkpoints.add_or_update(gx.Checkpoint(
            name=checkpoint_name, validation_definitions=[definition], actions=actions,
            result_format={"result_format": "COMPLETE", "unexpected_index_column_names": [ROW]}))
        return checkpoint

    def validate(self, source: str, frame: pd.DataFrame, extra: list[dict] | None = None,
                 parameters: dict | None = None) -> tuple[list[RowFailure], dict]:
        """Row failures and a summary {expectations, failed_expectations, success}."""
        suite_doc = load_suite_json(source)
        checkpoint = self._checkpoint(source, suite_doc, extra or [])
        columns = referenced_columns(suite_doc["expectations"] + (extra or []))
        missing = sorted(columns - set(frame.columns))
        if missing:  # GX passes some expectations on a column that is not there: never validate half a suite
            raise RuntimeError(f"suite {source} reads columns the prepared frame lacks: {', '.join(missing)}")
        result = checkpoint.run(batch_parameters={"dataframe": _gx_frame(frame, columns)},
                                expectation_parameters=parameters or {})
        for run in result.run_results.values():
            self.prune(run.suite_name)
        failures: list[RowFailure] = []
        evaluated = failed = 0
        for run in result.run_results.values():
            for r in run.results:
                evaluated += 1
                if r.success:
                    continue
                failed += 1
                meta = r.expectation_config.meta or {}
                rule, column = meta.get("rule", "invalid"), meta.get("column", "")
                rows = (r.result or {}).get("unexpected_index_list") or []
                if not rows and r.exception_info and r.exception_info.get("raised_exception"):
                    raise RuntimeError(f"expectation {r.expectation_config.type} on {source} failed to run: "
                                       f"{r.exception_info.get('exception_message')}")
                # A derived column naming the failing headers (ВПР task columns): one failure per header.
                from_value = r.expectation_config.kwargs.get("column") if meta.get("headers_in_value") else None
                for item in rows:
                    number = int(np.int64(item[ROW] if isinstance(item, dict) else item))
                    if from_value and isinstance(item, dict) and item.get(from_value):
                        failures.extend(RowFailure(number, h, rule)
                                        for h in str(item[from_value]).split(HEADERS_SEPARATOR))
                    else:
                        failures.append(RowFailure(number, column, rule))
        _add_details(failures, frame, suite_doc["expectations"] + (extra or []))
        return failures, {"expectations": evaluated, "failed_expectations": failed,
                          "success": failed == 0}

    @property
    def _uncommitted(self) -> Path:
        return Path(self.context.root_directory) / "uncommitted"

    def prune(self, suite: str | None = None) -> int:
        """Remove all but the last `keep` validation results of `suite` (every suite when None), with their
        Data Docs pages and any page whose result is gone; returns how many results were removed."""
        results = self._uncommitted / "validations"
        pages = self._uncommitted / "data_docs" / "local_site" / "validations"
        removed = 0
        for suite_dir in sorted(results.glob(suite) if suite else results.iterdir()):
            if not suite_dir.is_dir():
                continue
            # <suite>/<run name>/<run time, e.g. 20261201T221619.738570Z>/<batch>.json: newest last.
            stored = sorted(suite_dir.glob("*/*/*.json"), key=lambda p: (p.parent.name, str(p)))
            for old in stored[:max(len(stored) - self.keep, 0)]:
                relative = old.relative_to(results)
                for path in (old, (pages / relative).with_suffix(".html")):
                    _remove_with_empty_parents(path, stop=results if path == old else pages)
                removed += 1
        if pages.is_dir():  # pages of results removed before (or by another process)
            for page in pages.glob(f"{suite or '*'}/*/*/*.html"):
                if not (results / page.relative_to(pages)).with_suffix(".json").exists():
                    _remove_with_empty_parents(page, stop=pages)
        return removed

    def build_data_docs(self) -> str | None:
        """Prune, then rebuild Data Docs from what is kept; the index page's URL."""
        with self._project_lock():
            self.prune()
            self.context.build_data_docs()
        return self.docs_index()

    def docs_index(self) -> str | None:
        for site in self.context.get_docs_sites_urls():
            if site.get("site_url"):
                return site["site_url"]
        return None


def _add_details(failures: list[RowFailure], frame: pd.DataFrame, expectations: list[dict]) -> None:
    """A check whose meta names `detail_from` gets that derived column's text for each failing row."""
    sources = {(e["meta"].get("rule"), e["meta"].get("column")): e["meta"]["detail_from"]
               for e in expectations if (e.get("meta") or {}).get("detail_from")}
    if not sources or not failures:
        return
    by_row = {}
    for column in set(sources.values()):
        if column in frame:
            picked = frame[frame[column].notna()]
            by_row[column] = dict(zip(picked[ROW].astype("int64").tolist(), picked[column].astype(str).tolist()))
    for f in failures:
        column = sources.get((f.rule, f.column))
        if column:
            f.detail = by_row.get(column, {}).get(f.row_number)


def _remove_with_empty_parents(path: Path, stop: Path) -> None:
    """Delete a file (another process may have done it already) and the folders it leaves empty."""
    try:
        path.unlink()
    except FileNotFoundError:
        return
    parent = path.parent
    while parent != stop and stop in parent.parents:
        try:
            parent.rmdir()
        except OSError:  # not empty (or gone)
            return
        parent = parent.parent


def group_failures(failures: list[RowFailure]) -> dict[int, list[RowFailure]]:
    """Per row; a type error on a column hides that column's 'required' failure (same cause)."""
    by_row: dict[int, list[RowFailure]] = defaultdict(list)
    for f in failures:
        by_row[f.row_number].append(f)
    for number, items in by_row.items():
        bad_type = {f.column for f in items if f.rule == "bad_type"}
        kept, seen = [], set()
        for f in items:
            if f.rule == "required_missing" and f.column in bad_type:
                continue
            if (f.column, f.rule) not in seen:
                seen.add((f.column, f.rule))
                kept.append(f)
        by_row[number] = kept
    return by_row
