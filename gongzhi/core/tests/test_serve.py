"""`gongzhi serve` as an operator starts it: gunicorn with static files, plus the task worker."""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.net import free_port

REPO = Path(__file__).resolve().parents[3]


def get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (loopback only)
        return response.status, response.read()


def test_serve_runs_web_server_and_task_worker(tmp_path):
    port = free_port()
    env = {**os.environ, "GONGZHI_DATA_DIR": str(tmp_path), "GONGZHI_TASKS_IMMEDIATE": "0"}
    gongzhi = [sys.executable, "-m", "gongzhi.cli"]
    proc = subprocess.Popen([*gongzhi, "serve", "--port", str(port), "--workers", "1"], env=env, cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        # It migrates a new database first: on a busy machine that can take a minute or two.
        for _ in range(360):
            if proc.poll() is not None:
                pytest.fail(f"gongzhi serve stopped: {proc.stdout.read().decode(errors='replace')[-2000:]}")
            try:
                status, body = get(base + "/healthz")
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("gongzhi serve did not answer")
        assert status == 200 and json.loads(body)["database"] == "ok"
        assert get(base + "/static/vendor/htmx.org/htmx.min.js")[0] == 200
        # The worker takes tasks: enqueue one from another process and watch /healthz see it.
        subprocess.run([*gongzhi, "shell", "-c", "from gongzhi.core.tasks import heartbeat_now; heartbeat_now()"],
                       env=env, cwd=REPO, check=True, timeout=60)
        for _ in range(60):
            if json.loads(get(base + "/healthz")[1])["worker"]["state"] == "ok":
                break
            time.sleep(0.5)
        else:
            pytest.fail("the task worker did not run the task")
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    assert proc.returncode is not None
