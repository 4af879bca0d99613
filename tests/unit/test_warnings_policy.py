"""A warning raised from the project's own code fails the test, a DeprecationWarning or any other (pyproject's
filterwarnings); one raised inside a third-party library is not the project's to fix and passes."""
from __future__ import annotations

import warnings

import pytest


def _warn_from(module: str, category: type[Warning] = DeprecationWarning) -> None:
    code = compile(f"import warnings\nwarnings.warn('old API', {category.__name__})", f"<{module}>", "exec")
    exec(code, {"__name__": module, category.__name__: category})


@pytest.mark.parametrize("module", ["edu_quality.pipeline.steps", "sample_region.region", "bench.run",
                                    "campaign_status_plugin", "unusual_prefix_0123abcd_annual_monitoring_cycle"])
def test_a_deprecation_from_the_project_is_an_error(module):
    with pytest.raises(DeprecationWarning):
        _warn_from(module)


def test_an_airflow_deprecated_import_from_the_project_is_an_error():
    from airflow.utils.deprecation_tools import DeprecatedImportWarning

    with pytest.raises(DeprecatedImportWarning):
        _warn_from("edu_quality.orchestration.assets", DeprecatedImportWarning)


def test_a_deprecation_inside_a_library_is_not():
    with warnings.catch_warnings(record=True):
        _warn_from("pandas.core.frame")
        _warn_from("great_expectations.core")


@pytest.mark.parametrize("category", [UserWarning, RuntimeWarning, FutureWarning])
def test_any_warning_from_the_project_is_an_error(category):
    with pytest.raises(category):
        _warn_from("edu_quality.analysis.run", category)


def test_other_warnings_inside_a_library_are_not():
    with warnings.catch_warnings(record=True):
        _warn_from("pandas.core.frame", UserWarning)
        _warn_from("great_expectations.core", UserWarning)
