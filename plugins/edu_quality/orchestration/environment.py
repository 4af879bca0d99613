"""The environment Airflow runs in for this project: its home, DAGs and plugins folders, and the
warehouse connection defined from the environment (AIRFLOW_CONN_EDU_WAREHOUSE), never hard-coded."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from edu_quality.config import CONNECTION_ID, PATHS
from edu_quality.warehouse.connection import conn_env_var, url_to_airflow_connection, warehouse_url


def airflow_env(start_embedded: bool = True) -> dict[str, str]:
    env = dict(os.environ)
    home = PATHS.airflow_home
    home.mkdir(parents=True, exist_ok=True)
    env.setdefault("AIRFLOW_HOME", str(home))
    env.setdefault("AIRFLOW__CORE__DAGS_FOLDER", str(PATHS.dags))
    env.setdefault("AIRFLOW__CORE__PLUGINS_FOLDER", str(PATHS.plugins))
    env.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    env.setdefault("AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION", "False")
    env.setdefault("AIRFLOW__LOGGING__LOGGING_LEVEL", "INFO")
    env.setdefault("GX_ANALYTICS_ENABLED", "false")
    # `airflow standalone` starts its components as `airflow …` from PATH: the venv's must come first.
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env.setdefault("PYTHONPATH", os.pathsep.join(p for p in (str(PATHS.plugins), env.get("PYTHONPATH")) if p))
    # Inside Airflow the warehouse is the connection `edu_warehouse` and nothing else: WAREHOUSE_URL (the
    # command line's way to name an external server) becomes that connection, percent-decoded, its
    # parameters (sslmode, …) as extras; without either, the embedded server's URL does.
    conn_var = conn_env_var(CONNECTION_ID)
    url = env.pop("WAREHOUSE_URL", None)
    if url:
        env[conn_var] = url_to_airflow_connection(url)
    elif not env.get(conn_var):
        env[conn_var] = url_to_airflow_connection(warehouse_url(start_embedded=start_embedded))
    return env


def airflow_bin() -> str:
    candidate = Path(sys.executable).parent / "airflow"
    return str(candidate) if candidate.exists() else "airflow"


def ensure_metadata_db(env: dict[str, str]) -> None:
    """`airflow db migrate` once per Airflow version (it is idempotent but takes seconds)."""
    import airflow

    marker = Path(env["AIRFLOW_HOME"]) / f".migrated-{airflow.__version__}"
    if marker.exists():
        return
    subprocess.run([airflow_bin(), "db", "migrate"], env=env, check=True, stdout=subprocess.DEVNULL)
    marker.write_text("ok\n")
