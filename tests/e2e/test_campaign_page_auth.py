"""The campaign page on a real Airflow api-server (SimpleAuthManager, Airflow's default): nobody in without
authentication, nobody without the right to read the DAG annual_monitoring_cycle, and the page reads the
warehouse as an analyst's login taken from a connection stored in Airflow's metadata DB (as one added in
the UI would be), its password full of URL-special characters. One api-server for the module (~40 s)."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import jwt
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from edu_quality.pipeline.ingest import ingest_file
from edu_quality.warehouse.connection import warehouse_url

from ..warehouse.helpers import SCALES_HEADER, SCHOOLS_HEADER, VPR_HEADER, vpr_row, write

YEAR = 2049
HEAD = "Сидорова В. В."
PASSWORD = "p@ss:w/rd%?#"
APP_NAME = "edu-quality campaign page test"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _request(url: str, token: str | None = None, cookie: str | None = None, data: dict | None = None):
    headers = {"Content-Type": "application/json"} if data is not None else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if cookie:
        headers["Cookie"] = f"_token={cookie}"
    body = json.dumps(data).encode() if data is not None else None
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=body, headers=headers), timeout=30) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


@pytest.fixture(scope="module")
def server(tmp_path_factory, warehouse):
    root = tmp_path_factory.mktemp("campaign-api")
    write(root, "schools.csv", [SCHOOLS_HEADER, f"C0901;Школа 901;MO09;Посёлок;СОШ;сельская;{HEAD};01.09.2015;200"])
    write(root, "vpr_scales.csv", [SCALES_HEADER, f"{YEAR};Математика;5;10;3;6;9"])
    write(root, "vpr/a.csv", [VPR_HEADER, vpr_row("C0901", "P1", 2, 7, 5, 5)])
    for source, name in (("schools", "schools.csv"), ("vpr_scales", "vpr_scales.csv"), ("vpr", "vpr/a.csv")):
        ingest_file(warehouse, YEAR, source, root / name, name)

    # The page's own login: a member of edu_analyst, its connection stored in Airflow's metadata DB.
    login = f"t_page_{uuid.uuid4().hex[:8]}"
    with warehouse.begin() as conn:
        conn.execute(text(f"create role {login} login password '{PASSWORD}' in role edu_analyst"))
    url = make_url(warehouse_url())
    port = _free_port()
    home = root / "airflow"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env.update({
        "WAREHOUSE_URL": warehouse_url(),  # becomes the connection edu_warehouse (edu-quality airflow …)
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__AUTH_MANAGER":
            "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager",
        # A viewer (read-only everywhere) and a login with no role at all: authenticated, not authorised.
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "viewer:viewer,outsider:",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(root / "passwords.json"),
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{port}/",
        "AIRFLOW__API_AUTH__JWT_SECRET": os.urandom(24).hex(),
        "AIRFLOW__API__SECRET_KEY": os.urandom(24).hex(),
    })
    exe = str(Path(sys.executable).parent / "edu-quality")
    conn_json = json.dumps({"conn_type": "postgres", "host": url.query.get("host") or url.host, "login": login,
                            "password": PASSWORD, "schema": url.database, "port": url.port or 5432,
                            "extra": {"application_name": APP_NAME}})
    added = subprocess.run([exe, "airflow", "connections", "add", "edu_warehouse_analyst", "--conn-json", conn_json],
                           env=env, capture_output=True, text=True, timeout=300)
    assert added.returncode == 0, added.stdout[-2000:] + added.stderr[-2000:]
    log_path = root / "api-server.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen([exe, "airflow", "api-server", "--host", "127.0.0.1", "--port", str(port),
                                 "--workers", "1"], env=env, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            assert proc.poll() is None, log_path.read_text()[-3000:]
            assert time.monotonic() < deadline, "api-server did not start:\n" + log_path.read_text()[-3000:]
            try:
                urllib.request.urlopen(f"{base}/api/v2/version", timeout=3).read()
                break
            except OSError:
                time.sleep(1)
        passwords = json.loads((root / "passwords.json").read_text())
        yield {"base": base, "passwords": passwords, "login": login, "log": log_path,
               "jwt_secret": env["AIRFLOW__API_AUTH__JWT_SECRET"]}
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        with warehouse.begin() as conn:
            conn.execute(text("select pg_terminate_backend(pid) from pg_stat_activity where usename = :u"),
                         {"u": login})
            conn.execute(text(f"drop role {login}"))


def _token(server, user: str) -> str:
    status, body = _request(f"{server['base']}/auth/token",
                            data={"username": user, "password": server["passwords"][user]})
    assert status in (200, 201), body
    return json.loads(body)["access_token"]


# Every request the api-server must refuse (docs/reliability.md counts them): who asks, for what.
REFUSED = [
    ("anonymous", f"campaign/?year={YEAR}"),
    ("anonymous", "campaign/"),
    ("anonymous", "campaign/docs"),  # nothing of the plugin app is public: FastAPI's own routes are off
    ("anonymous", "campaign/redoc"),
    ("anonymous", "campaign/openapi.json"),
    ("forged token", f"campaign/?year={YEAR}"),  # signed with another key, claiming ADMIN
    ("no role", f"campaign/?year={YEAR}"),  # logged in, not allowed to read the DAG
    ("no role", "campaign/"),
]


def _credential(server, who: str) -> str | None:
    if who == "anonymous":
        return None
    if who == "forged token":
        return jwt.encode({"sub": "viewer", "role": "ADMIN", "aud": "apache-airflow",
                           "exp": int(time.time()) + 600}, "not-the-secret", algorithm="HS512")
    return _token(server, "outsider")


@pytest.mark.parametrize(("who", "path"), REFUSED)
def test_the_page_is_refused(server, who, path):
    status, body = _request(f"{server['base']}/{path}", token=_credential(server, who))
    expected = {"anonymous": (401,) if "?" in path or path.endswith("/") else (401, 403, 404),
                "forged token": (401, 403), "no role": (403,)}[who]
    assert status in expected and HEAD not in body, (status, body[:300])


def test_the_core_api_refuses_the_user_without_a_role_too(server):
    assert _request(f"{server['base']}/api/v2/dags", token=_token(server, "outsider"))[0] == 403


def test_a_logged_in_viewer_gets_the_page_read_as_the_analyst_login(server, warehouse):
    token = _token(server, "viewer")
    status, body = _request(f"{server['base']}/campaign/?year={YEAR}", token=token)
    assert status == 200, body[-2000:]
    assert f"за {YEAR} год" in body and HEAD in body and "Посёлок" in body
    status, body = _request(f"{server['base']}/campaign/?year={YEAR}", cookie=token)  # the UI's cookie
    assert status == 200 and HEAD in body
    with warehouse.connect() as conn:  # the page's pooled session: the analyst login, as edu_analyst
        sessions = conn.execute(text("select usename from pg_stat_activity where application_name = :a"),
                                {"a": APP_NAME}).scalars().all()
    assert sessions and set(sessions) == {server["login"]}


OUT_OF_RANGE_YEARS = ["99999999999999999999", "1999", "2101", "abc"]


@pytest.mark.parametrize("year", OUT_OF_RANGE_YEARS)
def test_a_year_out_of_range_is_a_client_error(server, year):
    token = _token(server, "viewer")
    status, _ = _request(f"{server['base']}/campaign/?year={year}", token=token)
    assert status == 422
