"""Static checks of docker-compose.yml, Dockerfile and .env.example.

No Docker engine is needed: the files are parsed with PyYAML (which resolves the `<<: *anchor`
merge keys like Compose does). `docker compose config -q` is run as well when the Compose plugin
is available; it only parses and interpolates, so it also works without an engine.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
ENV_EXAMPLE = ROOT / ".env.example"
REQUIREMENTS = ROOT / "requirements.txt"

AIRFLOW_SERVICES = [
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-worker",
    "airflow-triggerer",
]
BACKING_SERVICES = ["postgres", "redis", "warehouse"]
LONG_RUNNING = BACKING_SERVICES + AIRFLOW_SERVICES + ["flower"]
REQUIRED_SERVICES = LONG_RUNNING + ["airflow-init"]
# Every service that runs Airflow code from the common anchor.
AIRFLOW_CODE_SERVICES = AIRFLOW_SERVICES + ["airflow-init"]
PROJECT_FOLDERS = ["dags", "plugins", "sql", "expectations", "include"]

# Dummy values used to interpolate ${VAR...} the way Compose would with a filled-in .env.
FAKE_ENV = {
    "AIRFLOW_UID": "1000",
    "AIRFLOW_DB_PASSWORD": "fake-airflow-db-password",
    "AIRFLOW_FERNET_KEY": "fake-fernet-key",
    "AIRFLOW_API_SECRET_KEY": "fake-api-secret-key",
    "AIRFLOW_JWT_SECRET": "fake-jwt-secret",
    "WAREHOUSE_PASSWORD": "fake-warehouse-password",
    "EDU_QUALITY_HASH_KEY": "fake-hash-key",
}

_VAR = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}")


def interpolate(value: str, env: dict[str, str]) -> str:
    """Minimal Compose interpolation: ${VAR}, ${VAR:-default}, ${VAR:?error}, and $$ -> $."""

    def repl(m: re.Match[str]) -> str:
        name, op, arg = m["name"], m["op"], m["arg"]
        current = env.get(name)
        if op in (":-", "-"):
            return current if current or (op == "-" and current is not None) else arg
        if op in (":?", "?"):
            if not current and not (op == "?" and current is not None):
                raise KeyError(f"required variable {name} not set: {arg}")
            return current
        return current or ""

    placeholder = "\0"
    return _VAR.sub(repl, value.replace("$$", placeholder)).replace(placeholder, "$")


@pytest.fixture(scope="module")
def compose() -> dict:
    assert COMPOSE_FILE.is_file(), f"missing {COMPOSE_FILE}"
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def services(compose: dict) -> dict:
    return compose["services"]


def env_of(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):  # KEY=VALUE list form
        env = dict(item.split("=", 1) for item in env)
    return {k: str(v) for k, v in env.items()}


def volume_mounts(service: dict) -> dict[str, str]:
    """Container target -> host source, for short-syntax and long-syntax volumes."""
    mounts = {}
    for vol in service.get("volumes") or []:
        if isinstance(vol, dict):
            mounts[vol["target"]] = vol.get("source", "")
        else:
            parts = vol.split(":")
            # source:target[:mode]; the source may itself contain ${VAR:-default}
            source, target = ":".join(parts[:-1]), parts[-1]
            if target in ("ro", "rw", "z", "Z"):
                source, target = ":".join(parts[:-2]), parts[-2]
            mounts[target] = source
    return mounts


def depends_on(service: dict) -> dict[str, str]:
    deps = service.get("depends_on") or {}
    if isinstance(deps, list):
        return {name: "service_started" for name in deps}
    return {name: (spec or {}).get("condition", "service_started") for name, spec in deps.items()}


def healthcheck_command(service: dict) -> str:
    test = service["healthcheck"]["test"]
    return test if isinstance(test, str) else " ".join(test)


# --- services ------------------------------------------------------------------------------


def test_required_services_exist(services: dict) -> None:
    missing = [name for name in REQUIRED_SERVICES if name not in services]
    assert not missing, f"services missing from docker-compose.yml: {missing}"


def test_flower_is_optional_behind_a_profile(services: dict) -> None:
    assert "flower" in services["flower"].get("profiles", [])


@pytest.mark.parametrize("name", LONG_RUNNING)
def test_long_running_service_has_healthcheck_and_restarts(services: dict, name: str) -> None:
    service = services[name]
    hc = service.get("healthcheck")
    assert hc and not hc.get("disable"), f"{name} has no healthcheck"
    test = hc["test"]
    assert test and test not in (["NONE"], "NONE"), f"{name} healthcheck is disabled"
    assert service.get("restart") == "always", f"{name} should restart: always"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("airflow-apiserver", "http://localhost:8080/api/v2/version"),
        ("airflow-scheduler", "http://localhost:8974/health"),
        ("airflow-dag-processor", "airflow jobs check --job-type DagProcessorJob"),
        ("airflow-triggerer", "airflow jobs check --job-type TriggererJob"),
        (
            "airflow-worker",
            "celery --app airflow.providers.celery.executors.celery_executor.app inspect ping",
        ),
    ],
)
def test_airflow_healthchecks_use_the_official_probes(
    services: dict, name: str, expected: str
) -> None:
    assert expected in healthcheck_command(services[name])


def test_jobs_check_and_celery_ping_target_the_containers_own_hostname(services: dict) -> None:
    # $$ escapes Compose interpolation so that the shell in the container expands HOSTNAME.
    for name in ("airflow-dag-processor", "airflow-triggerer", "airflow-worker"):
        assert "$${HOSTNAME}" in healthcheck_command(services[name]), name


def test_scheduler_health_server_is_enabled(services: dict) -> None:
    env = env_of(services["airflow-scheduler"])
    assert env.get("AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK", "").lower() == "true"


@pytest.mark.parametrize(
    ("name", "command"),
    [
        ("airflow-apiserver", "api-server"),
        ("airflow-scheduler", "scheduler"),
        ("airflow-dag-processor", "dag-processor"),
        ("airflow-worker", "celery worker"),
        ("airflow-triggerer", "triggerer"),
        ("flower", "celery flower"),
    ],
)
def test_service_commands(services: dict, name: str, command: str) -> None:
    assert services[name]["command"] == command


def test_apiserver_publishes_port_8080(services: dict) -> None:
    ports = [str(p) for p in services["airflow-apiserver"]["ports"]]
    assert any(p.endswith(":8080") or p == "8080" for p in ports), ports


# --- Airflow configuration -----------------------------------------------------------------


@pytest.mark.parametrize("name", AIRFLOW_CODE_SERVICES + ["flower"])
def test_executor_is_celery(services: dict, name: str) -> None:
    assert env_of(services[name])["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"


def test_broker_is_redis(services: dict) -> None:
    broker = urlsplit(env_of(services["airflow-worker"])["AIRFLOW__CELERY__BROKER_URL"])
    assert broker.scheme == "redis"
    assert broker.hostname == "redis"
    assert broker.port == 6379
    assert services["redis"]["image"].startswith("redis:")
    assert env_of(services["airflow-worker"])["AIRFLOW__CELERY__RESULT_BACKEND"]


def test_common_airflow_settings(services: dict) -> None:
    for name in AIRFLOW_CODE_SERVICES:
        env = env_of(services[name])
        assert env["AIRFLOW__CORE__LOAD_EXAMPLES"].lower() == "false", name
        assert (
            env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"]
            == "http://airflow-apiserver:8080/execution/"
        ), name
        assert env["EDU_QUALITY_INBOX"] == "/opt/airflow/inbox", name
        assert env["EDU_QUALITY_OUTPUT"] == "/opt/airflow/output", name


def test_all_airflow_services_share_the_same_secrets(services: dict) -> None:
    keys = [
        "AIRFLOW__API_AUTH__JWT_SECRET",
        "AIRFLOW__API__SECRET_KEY",
        "AIRFLOW__CORE__FERNET_KEY",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
    ]
    reference = env_of(services["airflow-apiserver"])
    for name in AIRFLOW_CODE_SERVICES:
        env = env_of(services[name])
        for key in keys:
            assert env.get(key) == reference[key], f"{name}: {key} differs from the api-server"


# --- warehouse vs metadata DB --------------------------------------------------------------


def test_warehouse_is_a_separate_postgres_service(services: dict) -> None:
    warehouse, metadata = services["warehouse"], services["postgres"]
    assert warehouse["image"].startswith("postgres:16")
    assert metadata["image"].startswith("postgres:")
    assert env_of(warehouse)["POSTGRES_DB"] == "edu_quality"
    assert env_of(metadata)["POSTGRES_DB"] != "edu_quality"
    # own data volume: nothing shared with the metadata DB
    warehouse_vols = set(volume_mounts(warehouse).values())
    metadata_vols = set(volume_mounts(metadata).values())
    assert warehouse_vols and not warehouse_vols & metadata_vols
    assert "/var/lib/postgresql/data" in volume_mounts(warehouse)


def test_named_volumes_are_declared(compose: dict, services: dict) -> None:
    declared = set(compose.get("volumes") or {})
    for name in ("postgres", "warehouse"):
        source = volume_mounts(services[name])["/var/lib/postgresql/data"]
        assert source in declared, f"{name} data volume {source!r} is not declared"


def test_metadata_db_is_the_postgres_service_not_the_warehouse(services: dict) -> None:
    env = env_of(services["airflow-scheduler"])
    url = urlsplit(interpolate(env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"], FAKE_ENV))
    assert url.scheme.startswith("postgresql")
    assert url.hostname == "postgres"
    assert url.path.lstrip("/") == env_of(services["postgres"])["POSTGRES_DB"]
    assert url.path.lstrip("/") != "edu_quality"


def test_the_warehouse_is_only_the_airflow_connection(services: dict) -> None:
    """One definition of the warehouse inside Airflow: the connection `edu_warehouse` (WAREHOUSE_URL beside
    it could point elsewhere, and code reading it would ignore a connection changed in the UI)."""
    for name in AIRFLOW_CODE_SERVICES + ["flower", "airflow-cli"]:
        assert "WAREHOUSE_URL" not in env_of(services[name]), name


def test_the_warehouse_connection_points_at_the_warehouse_with_any_password(services: dict) -> None:
    """The connection is JSON: a password with URL-special characters reaches libpq unchanged."""
    from airflow.sdk import Connection
    from psycopg2.extensions import parse_dsn

    from edu_quality.warehouse.connection import connection_url

    wh_env = env_of(services["warehouse"])
    hostile = {**FAKE_ENV, "WAREHOUSE_PASSWORD": "p@ss:w/rd%?#"}
    for name in AIRFLOW_CODE_SERVICES:
        raw = env_of(services[name])["AIRFLOW_CONN_EDU_WAREHOUSE"]
        assert re.search(r'"password": "\$\{WAREHOUSE_PASSWORD:\?[^}]*\}"', raw), name
        conn = Connection.from_json(interpolate(raw, hostile), conn_id="edu_warehouse")
        assert conn.conn_type == "postgres" and conn.host == "warehouse" and (conn.port or 5432) == 5432, name
        assert conn.schema == "edu_quality", name
        assert conn.login == interpolate(wh_env["POSTGRES_USER"], hostile), name
        dsn = parse_dsn(connection_url(conn))
        assert dsn["password"] == "p@ss:w/rd%?#" == interpolate(wh_env["POSTGRES_PASSWORD"], hostile), name
        assert (dsn["host"], dsn["dbname"], dsn["user"]) == ("warehouse", "edu_quality", conn.login), name


def test_warehouse_healthcheck_checks_its_own_database(services: dict) -> None:
    cmd = healthcheck_command(services["warehouse"])
    assert "pg_isready" in cmd and "edu_quality" in cmd


# --- mounts --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", AIRFLOW_CODE_SERVICES)
def test_project_folders_are_mounted(services: dict, name: str) -> None:
    mounts = volume_mounts(services[name])
    for folder in PROJECT_FOLDERS + ["config", "logs"]:
        target = f"/opt/airflow/{folder}"
        assert target in mounts, f"{name}: {folder}/ is not mounted at {target}"
        assert interpolate(mounts[target], {}).rstrip("/").endswith(f"/{folder}"), (
            name,
            mounts[target],
        )


@pytest.mark.parametrize("name", AIRFLOW_CODE_SERVICES)
def test_inbox_and_output_are_mounted_where_the_env_points(services: dict, name: str) -> None:
    service = services[name]
    mounts, env = volume_mounts(service), env_of(service)
    assert env["EDU_QUALITY_INBOX"] in mounts, name
    assert env["EDU_QUALITY_OUTPUT"] in mounts, name
    assert mounts[env["EDU_QUALITY_INBOX"]] != mounts[env["EDU_QUALITY_OUTPUT"]]


def test_project_folders_exist_in_the_repository() -> None:
    for folder in PROJECT_FOLDERS:
        assert (ROOT / folder).is_dir(), f"{folder}/ missing from the repository"


# --- secrets -------------------------------------------------------------------------------

SECRET_KEYS = [
    "EDU_QUALITY_HASH_KEY",
    "AIRFLOW__API_AUTH__JWT_SECRET",
    "AIRFLOW__API__SECRET_KEY",
    "AIRFLOW__CORE__FERNET_KEY",
]


@pytest.mark.parametrize("key", SECRET_KEYS)
def test_secrets_come_from_required_variables(services: dict, key: str) -> None:
    for name in AIRFLOW_CODE_SERVICES:
        value = env_of(services[name])[key]
        m = re.fullmatch(r"\$\{(?P<var>[A-Za-z_][A-Za-z0-9_]*):\?[^}]*\}", value)
        assert m, f"{name}: {key} must be exactly ${{VAR:?message}}, got {value!r}"


_REQUIRED_VAR = r"\$\{[A-Za-z_][A-Za-z0-9_]*:\?[^}]*\}"
# user:password@ in a URL, where the password may be a ${VAR:?message} (which can hold ? and /)
_URL_CREDENTIALS = re.compile(
    r"://(?:\$\{[^}]*\}|[^:@/$]*):(?P<password>\$\{[^}]*\}|[^@/]*)@"
)


def test_no_literal_passwords_in_urls_or_postgres_services(services: dict) -> None:
    checked = 0
    for name, service in services.items():
        for key, value in env_of(service).items():
            if key == "POSTGRES_PASSWORD":
                assert re.fullmatch(_REQUIRED_VAR, value), f"{name}: {key} is a literal"
                checked += 1
            m = _URL_CREDENTIALS.search(value)
            if m and m["password"]:
                assert re.fullmatch(_REQUIRED_VAR, m["password"]), (
                    f"{name}: {key} contains a literal password"
                )
                checked += 1
    assert checked, "no credentials found to check"


def test_hash_key_value_does_not_appear_in_repo_files() -> None:
    # The compose file must not carry a default for the hash key (${VAR:-...} would be one).
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    assert not re.search(r"\$\{EDU_QUALITY_HASH_KEY:?-", text)
    assert not re.search(r"\$\{AIRFLOW_JWT_SECRET:?-", text)


def _all_strings(node: object):
    """Every string value in the parsed compose file (comments are not part of it)."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _all_strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _all_strings(value)


def test_env_example_lists_every_required_variable_without_values() -> None:
    assert ENV_EXAMPLE.is_file(), "missing .env.example"
    required = set()
    for value in _all_strings(yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))):
        required |= set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*):\?", value))
    assert {"EDU_QUALITY_HASH_KEY", "AIRFLOW_JWT_SECRET", "WAREHOUSE_PASSWORD"} <= required
    assigned = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            assigned[key.strip()] = value.strip()
    missing = required - assigned.keys()
    assert not missing, f".env.example does not list: {sorted(missing)}"
    filled = {k: v for k, v in assigned.items() if k in required and v}
    assert not filled, f".env.example must not carry secret values: {sorted(filled)}"


# --- start-up order ------------------------------------------------------------------------


def test_worker_waits_for_healthy_backends(services: dict) -> None:
    deps = depends_on(services["airflow-worker"])
    assert deps.get("redis") == "service_healthy"
    assert deps.get("postgres") == "service_healthy"
    assert deps.get("warehouse") == "service_healthy"
    assert deps.get("airflow-init") == "service_completed_successfully"


@pytest.mark.parametrize("name", AIRFLOW_SERVICES + ["flower"])
def test_airflow_services_wait_for_init(services: dict, name: str) -> None:
    deps = depends_on(services[name])
    assert deps.get("airflow-init") == "service_completed_successfully", name
    assert deps.get("postgres") == "service_healthy", name
    assert deps.get("redis") == "service_healthy", name


def test_depends_on_only_names_existing_services(services: dict) -> None:
    for name, service in services.items():
        for dep in depends_on(service):
            assert dep in services, f"{name} depends on unknown service {dep}"


def test_airflow_init_migrates_the_metadata_db(services: dict) -> None:
    init = services["airflow-init"]
    command = init["command"]
    script = command if isinstance(command, str) else "\n".join(command)
    assert re.search(r"\bairflow db migrate\b", script)
    assert "restart" not in init or init["restart"] in ("no", "on-failure")
    assert "healthcheck" not in init


# --- image ---------------------------------------------------------------------------------


def test_airflow_services_build_the_project_image(services: dict) -> None:
    for name in AIRFLOW_CODE_SERVICES + ["flower"]:
        build = services[name].get("build")
        context = build if isinstance(build, str) else (build or {}).get("context")
        assert context in (".", "./"), f"{name} should be built from ./Dockerfile"


def test_dockerfile_extends_airflow_3_3_2_and_installs_requirements() -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    froms = re.findall(r"^FROM\s+(\S+)", text, flags=re.MULTILINE)
    assert froms and froms[0].startswith("apache/airflow:3.3.2"), froms
    assert re.search(r"^COPY\b.*\brequirements\.txt\b", text, flags=re.MULTILINE)
    assert re.search(r"pip install[^\n]*(\\\n[^\n]*)*-r\s+\S*requirements\.txt", text)
    assert "--no-cache-dir" in text


def test_the_image_gets_a_pinned_celery_provider() -> None:
    requirements = REQUIREMENTS.read_text(encoding="utf-8")
    assert re.search(r"^apache-airflow-providers-celery==\d+\.\d+\.\d+$", requirements, re.MULTILINE), \
        "apache-airflow-providers-celery must be pinned to an exact version"
    assert re.search(r"^celery==\d+\.\d+\.\d+$", requirements, re.MULTILINE)


def test_image_airflow_version_matches_requirements() -> None:
    pins = dict(
        line.split("==", 1)
        for line in REQUIREMENTS.read_text(encoding="utf-8").splitlines()
        if "==" in line and not line.startswith("#")
    )
    assert pins["apache-airflow"] == "3.3.2"
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert f"apache/airflow:{pins['apache-airflow']}" in text
    # the image installs the same lock as the venv, the Celery provider included (make celery-demo)
    assert "apache-airflow-providers-celery" in pins
    assert "-r /requirements.txt" in text


# --- docker compose config -----------------------------------------------------------------


def _docker_compose_available() -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        result = subprocess.run(
            ["docker", "compose", "version"], capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0


@pytest.mark.skipif(not _docker_compose_available(), reason="`docker compose` is not available")
def test_docker_compose_config_is_valid(tmp_path: Path) -> None:
    # Only parses and interpolates: no Docker engine needed. The dummy env file stands in for .env.
    env_file = tmp_path / "test.env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in FAKE_ENV.items()), encoding="utf-8")
    result = subprocess.run(
        [
            "docker", "compose",
            "--project-directory", str(ROOT),
            "--file", str(COMPOSE_FILE),
            "--env-file", str(env_file),
            "--profile", "flower",
            "--profile", "debug",
            "config", "-q",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr


# --- Great Expectations project ------------------------------------------------------------


def test_the_gx_project_is_a_named_volume_every_worker_shares(compose: dict, services: dict) -> None:
    declared = set(compose.get("volumes") or {})
    sources = set()
    for name in AIRFLOW_CODE_SERVICES:
        env, mounts = env_of(services[name]), volume_mounts(services[name])
        target = env["EDU_QUALITY_GX_ROOT"]
        assert target in mounts, f"{name}: the GX project {target} is not mounted"
        assert mounts[target] in declared, f"{name}: {mounts[target]!r} is not a named volume"
        sources.add(mounts[target])
    assert len(sources) == 1  # one project for all
    script = "\n".join(services["airflow-init"]["command"])
    assert re.search(r"chown -R .*/opt/airflow/\{[^}]*\bgx\b", script), "airflow-init must hand the volume over"
