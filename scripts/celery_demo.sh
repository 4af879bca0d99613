#!/usr/bin/env bash
# The annual DAG run by Airflow's CeleryExecutor, as in production (docker-compose.yml), on one machine:
# a local Redis as the broker, the embedded PostgreSQL as Airflow's metadata DB and Celery's result
# backend, and api-server + scheduler + dag-processor + one Celery worker (concurrency 2).
#
#   scripts/celery_demo.sh            (or: make celery-demo)
#
# Everything lives in a fresh temporary home (EDU_QUALITY_HOME=$(mktemp -d)): the developer's
# warehouse and Airflow are never touched. All traffic stays on 127.0.0.1 (Redis and the api-server
# on free loopback ports, PostgreSQL on a Unix socket). Whatever the outcome, everything the script
# started is stopped on exit. Exit codes: 0 the run succeeded and every task ran through Celery;
# 1 it did not (or timed out); 2 the venv is missing (`make setup`); 3 redis-server is missing.
#
# Settings: CELERY_DEMO_TIMEOUT (seconds to wait for the run, default 600), CELERY_DEMO_KEEP=1 keeps
# the temporary home (logs, pgdata) after a successful run; after a failed one it is always kept.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="${EDU_QUALITY_VENV:-$ROOT/.venv}/bin"
TIMEOUT="${CELERY_DEMO_TIMEOUT:-600}"
YEAR=2025
DAG_ID=annual_monitoring_cycle

if ! command -v redis-server >/dev/null 2>&1; then
  echo "redis-server is not installed; install it with: sudo apt-get install redis-server" >&2
  exit 3
fi
if [ ! -x "$BIN/edu-quality" ]; then
  echo "no project venv at ${BIN%/bin}: run \`make setup\` first" >&2
  exit 2
fi
if ! "$BIN/python" -c "import airflow.providers.celery" 2>/dev/null; then
  echo "apache-airflow-providers-celery is not installed in the venv: run \`make setup\`" >&2
  exit 2
fi

STARTED=$(date +%s)
DEMO_HOME="$(mktemp -d "${TMPDIR:-/tmp}/edu-quality-celery.XXXXXX")"
LOGS="$DEMO_HOME/logs"
mkdir -p "$LOGS" "$DEMO_HOME/redis"
export EDU_QUALITY_HOME="$DEMO_HOME"
export AIRFLOW_HOME="$DEMO_HOME/airflow"
# The developer's settings must not leak in: this demo uses only its own warehouse and Airflow.
unset WAREHOUSE_URL AIRFLOW_CONN_EDU_WAREHOUSE AIRFLOW_CONFIG
export EDU_QUALITY_HASH_KEY="${EDU_QUALITY_HASH_KEY:-celery-demo-key-not-a-secret}"

PIDS=()          # process-group leaders started here (each component runs in its own session)
OK=0

say() { printf '[celery-demo %4ss] %s\n' "$(( $(date +%s) - STARTED ))" "$*"; }
eq() { "$BIN/edu-quality" "$@"; }
py() { "$BIN/python" - "$@"; }

start_bg() {  # start_bg NAME CMD... : in its own session, output to $LOGS/NAME.log
  local name=$1; shift
  setsid "$@" >"$LOGS/$name.log" 2>&1 < /dev/null &
  PIDS+=("$!")
  say "started $name (pid $!), log $LOGS/$name.log"
}

stop_group() {  # SIGTERM to a process group, SIGKILL after 30 s
  kill -TERM -- "-$1" 2>/dev/null || return 0
  for _ in $(seq 1 30); do
    kill -0 -- "-$1" 2>/dev/null || return 0
    sleep 1
  done
  kill -KILL -- "-$1" 2>/dev/null
}

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  set +e
  # One at a time, newest first: scheduler, dag-processor, then the worker (a warm shutdown that
  # still talks to Redis and the api-server), the api-server, and Redis last.
  for (( i=${#PIDS[@]}-1; i>=0; i-- )); do stop_group "${PIDS[$i]}"; done
  eq db stop >/dev/null 2>&1
  if [ "$OK" -ne 1 ]; then
    echo "[celery-demo] FAILED; the last lines of each component's log:" >&2
    for f in "$LOGS"/*.log; do
      [ -f "$f" ] || continue
      echo "----- $f" >&2
      tail -n 25 "$f" >&2
    done
    echo "[celery-demo] everything is kept in $DEMO_HOME" >&2
    [ "$status" -eq 0 ] && status=1
  elif [ "${CELERY_DEMO_KEEP:-0}" = 1 ]; then
    say "kept $DEMO_HOME"
  else
    rm -rf "$DEMO_HOME"
  fi
  say "stopped everything it started"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { py <<'EOF'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
EOF
}

wait_for() {  # wait_for SECONDS DESCRIPTION CMD... : until CMD succeeds
  local limit=$1 what=$2; shift 2
  local deadline=$(( $(date +%s) + limit ))
  until "$@" >/dev/null 2>&1; do
    if [ "$(date +%s)" -ge "$deadline" ]; then say "timed out waiting for $what"; return 1; fi
    for pid in "${PIDS[@]}"; do
      kill -0 "$pid" 2>/dev/null || { say "a component (pid $pid) exited while waiting for $what"; return 1; }
    done
    sleep 1
  done
  say "$what: ready"
}

say "temporary home $DEMO_HOME"

# --- Redis, loopback only, nothing written to disk -------------------------------------------------
REDIS_PORT=$(free_port)
start_bg redis redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --protected-mode yes \
  --save "" --appendonly no --dir "$DEMO_HOME/redis"
redis_ping() { py "$REDIS_PORT" <<'EOF'
import sys, redis
assert redis.Redis(host="127.0.0.1", port=int(sys.argv[1]), socket_timeout=2).ping()
EOF
}
wait_for 20 "redis on 127.0.0.1:$REDIS_PORT" redis_ping

# --- PostgreSQL: the warehouse plus a database `airflow` for Airflow and Celery's results ----------
WAREHOUSE_URL_LIBPQ=$(eq db start | tail -n 1)
AIRFLOW_DB_URL=$(py "$WAREHOUSE_URL_LIBPQ" <<'EOF'
import sys
import psycopg2
from sqlalchemy.engine import make_url

url = make_url(sys.argv[1])
conn = psycopg2.connect(sys.argv[1])
conn.autocommit = True
with conn.cursor() as cur:
    cur.execute("select 1 from pg_database where datname = 'airflow'")
    if cur.fetchone() is None:
        cur.execute("create database airflow")
conn.close()
# postgresql+psycopg2://postgres@/airflow?host=<socket dir>[&port=N]
print(url.set(drivername="postgresql+psycopg2", database="airflow", password=None)
      .render_as_string(hide_password=False))
EOF
)
say "warehouse $WAREHOUSE_URL_LIBPQ; Airflow metadata DB $AIRFLOW_DB_URL"

# --- Airflow configuration: what docker-compose.yml sets, on loopback ------------------------------
API_PORT=$(free_port)
export AIRFLOW__CORE__EXECUTOR=CeleryExecutor
export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN="$AIRFLOW_DB_URL"
export AIRFLOW__CELERY__BROKER_URL="redis://127.0.0.1:$REDIS_PORT/0"
export AIRFLOW__CELERY__RESULT_BACKEND="db+$AIRFLOW_DB_URL"
export AIRFLOW__CELERY__WORKER_CONCURRENCY=2
export AIRFLOW__CORE__EXECUTION_API_SERVER_URL="http://127.0.0.1:$API_PORT/execution/"
export AIRFLOW__API__HOST=127.0.0.1
export AIRFLOW__API__PORT="$API_PORT"
export AIRFLOW__API__BASE_URL="http://127.0.0.1:$API_PORT/"
# Every component must share these, or the api-server rejects the tokens the scheduler gives tasks.
AIRFLOW__API_AUTH__JWT_SECRET=$(py <<<'import secrets; print(secrets.token_urlsafe(32))')
AIRFLOW__API__SECRET_KEY=$(py <<<'import secrets; print(secrets.token_urlsafe(32))')
export AIRFLOW__API_AUTH__JWT_SECRET AIRFLOW__API__SECRET_KEY
# Only the run triggered below: no scheduled (cron or catch-up) runs, every other DAG stays paused.
export AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE=False
export AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION=True
export AIRFLOW__CORE__LOAD_EXAMPLES=False

say "metadata DB migration and DAG serialisation (airflow db migrate, dags reserialize)"
eq airflow dags reserialize >"$LOGS/reserialize.log" 2>&1
eq airflow dags unpause "$DAG_ID" >"$LOGS/unpause.log" 2>&1

# --- a small region's inbox, and the run (queued until the scheduler starts) -----------------------------
INBOX="$DEMO_HOME/inbox"
OUTPUT="$DEMO_HOME/output"
eq sample --year "$YEAR" --out "$INBOX" --schools 10 --municipalities 2
RUN_ID="celery_demo__$(date -u +%Y%m%dT%H%M%S)"
CONF=$(printf '{"year": %d, "inbox": "%s", "output": "%s"}' "$YEAR" "$INBOX" "$OUTPUT")
eq airflow dags trigger "$DAG_ID" --run-id "$RUN_ID" --conf "$CONF" >"$LOGS/trigger.log" 2>&1
say "triggered $DAG_ID, run $RUN_ID, conf $CONF"

# --- the components ------------------------------------------------------------------------------------
api_ready() { py "$API_PORT" <<'EOF'
import sys, urllib.request
urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/api/v2/version", timeout=3).read()
EOF
}
start_bg api-server "$BIN/edu-quality" airflow api-server --host 127.0.0.1 --port "$API_PORT" --workers 1
# No log-serving process (it would listen on every interface): api-server and worker share this
# machine's $AIRFLOW_HOME/logs.
start_bg worker "$BIN/edu-quality" airflow celery worker --concurrency 2 --skip-serve-logs
wait_for 180 "api-server on 127.0.0.1:$API_PORT" api_ready
wait_for 180 "celery worker" grep -q "ready\." "$LOGS/worker.log"
start_bg dag-processor "$BIN/edu-quality" airflow dag-processor
start_bg scheduler "$BIN/edu-quality" airflow scheduler
wait_for 180 "scheduler" grep -q "Starting the scheduler" "$LOGS/scheduler.log"
say "waiting up to ${TIMEOUT}s for the run"

py "$AIRFLOW_DB_URL" "$DAG_ID" "$RUN_ID" "$TIMEOUT" <<'EOF'
import json, os, sys, time
from pathlib import Path
from sqlalchemy import create_engine, text

url, dag_id, run_id, limit = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
engine = create_engine(url)
start, last, printed = time.monotonic(), None, 0.0
while True:
    with engine.connect() as c:
        state = c.execute(text("select state from dag_run where dag_id = :d and run_id = :r"),
                          {"d": dag_id, "r": run_id}).scalar()
        counts = dict(c.execute(text(
            "select coalesce(state, 'none'), count(*) from task_instance where dag_id = :d and run_id = :r "
            "group by 1 order by 1"), {"d": dag_id, "r": run_id}).all())
    now = time.monotonic()
    if state != last or now - printed >= 15 or state in ("success", "failed"):
        print(f"[celery-demo] {now - start:5.0f}s run {state}; tasks "
              + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())), flush=True)
        last, printed = state, now
    if state == "failed":
        with engine.connect() as c:
            failed = c.execute(text("select task_id, map_index from task_instance where dag_id = :d "
                                    "and run_id = :r and state = 'failed'"), {"d": dag_id, "r": run_id}).all()
        print("[celery-demo] failed tasks: " + ", ".join(f"{t}[{i}]" if i >= 0 else t for t, i in failed))
        logs = Path(os.environ["AIRFLOW_HOME"]) / "logs" / f"dag_id={dag_id}" / f"run_id={run_id}"
        for t, i in failed:  # the error of each failed task's last attempt, from its JSON-lines log
            attempts = sorted(logs.glob(f"task_id={t}/map_index={i}/attempt=*.log"))
            errors = [json.loads(line) for line in attempts[-1].read_text().splitlines()
                      if '"level":"error"' in line] if attempts else []
            for e in errors[:1]:
                detail = (e.get("error_detail") or [{}])[-1]
                print(f"  {t}[{i}]: {e.get('event')}: {detail.get('exc_type')}: {detail.get('exc_value')} "
                      f"({attempts[-1]})")
        sys.stdout.flush()
        sys.exit(1)
    if state == "success":
        sys.exit(0)
    if now - start > limit:
        print(f"[celery-demo] the run did not finish within {limit}s", flush=True)
        sys.exit(1)
    time.sleep(3)
EOF

# --- proof: every task instance that ran went through Celery --------------------------------------
WORKLOADS=$(grep -c "Executing workload in Celery" "$LOGS/worker.log" || true)
py "$AIRFLOW_DB_URL" "$DAG_ID" "$RUN_ID" "$WORKLOADS" "$REDIS_PORT" "$OUTPUT/$YEAR/run_summary.json" <<'EOF'
import json, sys, time
from collections import Counter
from sqlalchemy import create_engine, text

url, dag_id, run_id, workloads, redis_port, summary_path = sys.argv[1:7]
engine = create_engine(url)
# The worker reports a task's state through the Execution API before its Celery task returns, so the
# run can be `success` while the last Celery results still say STARTED: give them a minute to settle.
deadline = time.monotonic() + 60
while True:
    with engine.connect() as c:
        run = c.execute(text("select state, start_date, end_date from dag_run where dag_id = :d and run_id = :r"),
                        {"d": dag_id, "r": run_id}).one()
        rows = c.execute(text(
            "select ti.task_id, ti.map_index, ti.state, ti.queue, ti.hostname, ti.try_number, "
            "       ti.external_executor_id, m.status as celery_status "
            "from task_instance ti left join celery_taskmeta m on m.task_id = ti.external_executor_id "
            "where ti.dag_id = :d and ti.run_id = :r order by ti.start_date nulls last, ti.task_id, ti.map_index"),
            {"d": dag_id, "r": run_id}).mappings().all()
        celery_results = c.execute(text("select count(*) from celery_taskmeta where status = 'SUCCESS'")).scalar()
    ran = [r for r in rows if r["state"] not in ("skipped", "removed", "upstream_failed", None)]
    through_celery = [r for r in ran if r["external_executor_id"] and r["celery_status"] == "SUCCESS"]
    if len(through_celery) == len(ran) or time.monotonic() > deadline:
        break
    time.sleep(2)
print(f"RESULT dag_run {run_id}: {run.state} in {(run.end_date - run.start_date).total_seconds():.0f}s")
print("RESULT task instances: " + ", ".join(f"{k} {v}" for k, v in sorted(Counter(r['state'] for r in rows).items())))
for r in ran[:3] + ran[-3:]:
    index = "" if r["map_index"] == -1 else f"[{r['map_index']}]"
    print(f"  {r['task_id']}{index}: {r['state']}, queue {r['queue']}, host {r['hostname']}, "
          f"celery task {r['external_executor_id']} {r['celery_status']}")
try:
    s = json.load(open(summary_path, encoding="utf-8"))
    print(f"RESULT cycle: files {s['files_read']} (loaded {s['files_loaded']}), rows loaded {s['rows_loaded']}, "
          f"quarantined {s['rows_quarantined']}, indicators {s['indicators']}, documents {s['documents']}")
except (OSError, KeyError, ValueError) as exc:
    print(f"RESULT no run summary: {exc}")
print(f"PROOF executor: CeleryExecutor, broker redis://127.0.0.1:{redis_port}/0, "
      f"result backend celery_taskmeta in the metadata DB")
print(f"PROOF {len(through_celery)}/{len(ran)} task instances that ran have a Celery task id whose result "
      f"in the Celery result backend is SUCCESS ({celery_results} SUCCESS results in total)")
print(f"PROOF the Celery worker's log has {workloads} 'Executing workload in Celery' lines "
      f"(one per task try)")
ok = run.state == "success" and ran and len(through_celery) == len(ran) and int(workloads) >= len(ran)
print("PROOF OK: every task of the run was executed by the Celery worker" if ok else "PROOF FAILED")
sys.exit(0 if ok else 1)
EOF
echo "PROOF from the logs:"
grep -m 1 "Loaded executor" "$LOGS/scheduler.log" | cut -c1-150 | sed 's/^/  scheduler: /' || true
grep -m 1 "celery@.* ready" "$LOGS/worker.log" | cut -c1-150 | sed 's/^/  worker:    /' || true
grep -m 2 "Executing workload in Celery" "$LOGS/worker.log" | cut -c1-230 | sed 's/^/  worker:    /' || true

OK=1
say "done: the DAG ran on the CeleryExecutor"
