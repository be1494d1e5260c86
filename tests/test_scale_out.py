"""The scale-out path, end to end: two stateless `gongzhi serve` processes on one database (and one
Redis when the machine has it). A token issued by one works on the other, and a grid split
through one is seen by the other's point lookup without a restart."""

import contextlib
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

import pytest

from tests.net import free_port

REPO = Path(__file__).resolve().parents[1]
POINT = (113.905, 30.905)  # inside 书院社区第一网格 of the fixture city


def redis_url() -> str:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
        return "redis://127.0.0.1:6379/15"
    return ""


def call(base, path, *, token=None, body=None, method=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, headers=headers, method=method)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (loopback only)
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


@contextlib.contextmanager
def scratch_database(tmp_path):
    """A database of its own: a SQLite file, or a new PostgreSQL database when the suite runs there."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield f"sqlite:///{tmp_path / 'shared.sqlite3'}"
        return
    import psycopg

    name = f"gongzhi_scale_{uuid.uuid4().hex[:8]}"
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def wait_healthy(base: str, proc) -> None:
    for _ in range(120):
        if proc.poll() is not None:
            pytest.fail(f"server exited: {proc.stdout.read().decode()[-2000:]}")
        with contextlib.suppress(OSError):
            if call(base, "/healthz")[0] == 200:
                return
        time.sleep(0.5)
    pytest.fail("server did not answer")


def test_two_app_processes_share_nothing_but_the_database(tmp_path):
    with scratch_database(tmp_path) as database_url:
        env = {**os.environ, "DATABASE_URL": database_url, "GONGZHI_DATA_DIR": str(tmp_path),
               "REDIS_URL": redis_url(), "GONGZHI_TASKS_IMMEDIATE": "0"}
        gongzhi = [sys.executable, "-m", "gongzhi.cli"]
        # A release is prepared once (migrations, static files); app processes only serve it.
        subprocess.run([*gongzhi, "migrate", "-v0"], env=env, cwd=REPO, check=True, timeout=300)
        subprocess.run([*gongzhi, "collectstatic", "--noinput", "-v0"], env=env, cwd=REPO, check=True, timeout=300)
        subprocess.run([*gongzhi, "shell", "-v0", "-c",
                        "from gongzhi.demo.fixture_city import build_fixture_city; build_fixture_city()"],
                       env=env, cwd=REPO, check=True, timeout=120)
        servers = []
        try:
            for _ in range(2):
                port = free_port()
                proc = subprocess.Popen([*gongzhi, "serve", "--port", str(port), "--workers", "1", "--no-worker",
                                         "--no-migrate"], env=env, cwd=REPO, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, start_new_session=True)
                servers.append((f"http://127.0.0.1:{port}", proc))
            for base, proc in servers:
                wait_healthy(base, proc)
            (a, _), (b, _) = servers

            status, issued = call(a, "/api/v1/auth/token", body={"username": "street_officer_a",
                                                                  "password": "gongzhi-demo"})
            assert status == 201
            token = issued["token"]
            status, me = call(b, "/api/v1/me", token=token)
            assert status == 200 and me["username"] == "street_officer_a"

            status, before = call(b, f"/api/v1/grids/locate?lng={POINT[0]}&lat={POINT[1]}")
            assert status == 200 and before["grid"]["code"] == "420902001001001"
            line = {"type": "LineString", "coordinates": [[113.899, 30.91], [113.921, 30.91]]}
            status, split = call(a, f"/api/v1/grids/{before['grid']['id']}/split", token=token, method="POST",
                                 body={"line": line, "reason": "re-drawn after a new road opened"})
            assert status == 200, split
            new_codes = {g["code"] for g in split["grids"]}
            # No restart, no waiting: the other process finds the retired grid and reads the change.
            status, after = call(b, f"/api/v1/grids/locate?lng={POINT[0]}&lat={POINT[1]}")
            assert status == 200
            assert after["grid"]["code"] in new_codes
        finally:
            for _, proc in servers:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=30)
