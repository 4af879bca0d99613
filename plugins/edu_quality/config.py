"""Where things live and how the product is configured: paths, the warehouse URL, secrets.

Everything comes from the environment with defaults that keep a fresh clone working: the embedded
PostgreSQL and all run-time state live under `<project>/.edu_quality/` (git-ignored).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CONNECTION_ID = "edu_warehouse"
WAREHOUSE_DATABASE = "edu_quality"


@dataclass(frozen=True)
class Paths:
    root: Path = PROJECT_ROOT

    @property
    def home(self) -> Path:
        return Path(os.environ.get("EDU_QUALITY_HOME", self.root / ".edu_quality")).resolve()

    @property
    def pgdata(self) -> Path:
        return self.home / "pgdata"

    @property
    def airflow_home(self) -> Path:
        return Path(os.environ.get("AIRFLOW_HOME", self.home / "airflow"))

    @property
    def default_inbox(self) -> Path:
        return Path(os.environ.get("EDU_QUALITY_INBOX", self.home / "inbox"))

    @property
    def default_output(self) -> Path:
        return Path(os.environ.get("EDU_QUALITY_OUTPUT", self.home / "output"))

    @property
    def gx_root(self) -> Path:
        """The Great Expectations project (stored suites, results, Data Docs); EDU_QUALITY_GX_ROOT puts it on
        storage every worker shares (docker-compose: a named volume)."""
        return Path(os.environ.get("EDU_QUALITY_GX_ROOT", self.home / "gx"))

    @property
    def sql(self) -> Path:
        return self.root / "sql"

    @property
    def migrations(self) -> Path:
        return self.sql / "migrations"

    @property
    def indicators(self) -> Path:
        return self.sql / "indicators"

    @property
    def expectations(self) -> Path:
        return self.root / "expectations"

    @property
    def templates(self) -> Path:
        return self.root / "include" / "templates"

    @property
    def dags(self) -> Path:
        return self.root / "dags"

    @property
    def plugins(self) -> Path:
        return self.root / "plugins"


PATHS = Paths()


def hash_key() -> bytes:
    """Key for hashing participant and teacher codes.

    It never lives in the repo: production sets EDU_QUALITY_HASH_KEY; a local installation gets a
    random key generated once into its git-ignored home, so codes stay stable across reruns.
    """
    value = os.environ.get("EDU_QUALITY_HASH_KEY")
    if value:
        return value.encode()
    key_file = PATHS.home / "hash.key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(os.urandom(32).hex())
        key_file.chmod(0o600)
    return key_file.read_text().strip().encode()
