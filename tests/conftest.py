"""Shared fixtures: a real embedded PostgreSQL in a temporary home, separate from the user's demo."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

# Before anything imports the package: the whole test session lives in its own home.
_HOME = Path(tempfile.mkdtemp(prefix="edu-quality-test-"))
os.environ["EDU_QUALITY_HOME"] = str(_HOME)
os.environ.setdefault("EDU_QUALITY_HASH_KEY", "test-only-key-not-a-secret")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
for var in ("AIRFLOW_HOME", "AIRFLOW_CONN_EDU_WAREHOUSE", "WAREHOUSE_URL"):
    os.environ.pop(var, None) if not os.environ.get("EDU_QUALITY_TEST_KEEP_ENV") else None


@pytest.fixture(scope="session")
def home() -> Path:
    return _HOME


@pytest.fixture(scope="session")
def warehouse(home):
    """A migrated warehouse on a real PostgreSQL (embedded, or WAREHOUSE_URL when set)."""
    from edu_quality.warehouse import embedded
    from edu_quality.warehouse.connection import engine
    from edu_quality.warehouse.migrations import migrate

    eng = engine()
    migrate(eng)
    yield eng
    eng.dispose()
    embedded.stop()


@pytest.fixture(scope="session")
def runner(warehouse):
    """One Great Expectations context for the session (creating one costs about a second)."""
    from edu_quality.validation.gx_runner import SuiteRunner

    return SuiteRunner(data_docs=False)
