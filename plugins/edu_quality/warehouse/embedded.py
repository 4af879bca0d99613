"""The embedded PostgreSQL server (pgserver): a real PostgreSQL 16 with no root and no system packages.

It listens on a Unix socket only, inside the project's git-ignored home, and keeps running after the
command that started it exits (`edu-quality db stop` stops it).
"""
from __future__ import annotations

import logging
import os
import warnings

from edu_quality.config import PATHS, WAREHOUSE_DATABASE

log = logging.getLogger(__name__)
# pgserver asks platformdirs for a runtime dir it does not need here (the socket lives in pgdata).
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")


def _server():
    import pgserver  # heavy-ish import, only where the embedded server is used

    logging.getLogger("pgserver").setLevel(logging.WARNING)  # its handle bookkeeping is noise to users

    PATHS.pgdata.mkdir(parents=True, exist_ok=True)
    return pgserver.get_server(PATHS.pgdata, cleanup_mode=None)


def start() -> str:
    """Start the server if needed, make sure the warehouse database exists, return its URL."""
    server = _server()
    exists = server.psql(
        f"select 1 from pg_database where datname = '{WAREHOUSE_DATABASE}';").strip()
    if "(1 row)" not in exists:
        server.psql(f"create database {WAREHOUSE_DATABASE};")
        log.info("created database %s in the embedded server", WAREHOUSE_DATABASE)
    return server.get_uri(database=WAREHOUSE_DATABASE)


def running_url() -> str | None:
    """The URL of the running embedded server, or None when it is not running."""
    from pgserver.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(PATHS.pgdata) if PATHS.pgdata.exists() else None
    if info is None or not info.is_running():
        return None
    return info.get_uri(database=WAREHOUSE_DATABASE)


def stop() -> bool:
    """Stop the server; False when it was not running."""
    if running_url() is None:
        return False
    from pgserver._commands import pg_ctl

    server = _server()
    pg_ctl(["-w", "stop"], pgdata=server.pgdata, user=server.system_user)
    # pgserver keeps a list of handle pids; a stale one would stop it from cleaning up later.
    pids = PATHS.pgdata / ".handle_pids.json"
    if pids.exists():
        os.remove(pids)
    return True
