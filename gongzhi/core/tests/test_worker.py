"""The task worker is supervised: stale task locks expire, each periodic task records its runs,
/healthz answers 503 naming a late task or a dead worker, and `gongzhi serve` restarts the worker."""

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from huey.contrib.djhuey import HUEY
from huey.exceptions import TaskLockedException

from gongzhi.core import tasks
from gongzhi.core.models import PeriodicTaskRun, WorkerHeartbeat
from tests.net import free_port

REPO = Path(__file__).resolve().parents[3]


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


@pytest.fixture
def lock():
    held = tasks.ExpiringLock(f"test-{uuid.uuid4().hex}", stale_after=600)
    yield held
    HUEY.delete(held.key)
    tasks.LOCKS.pop(held.name, None)


def test_a_stale_task_lock_is_taken_over_with_a_warning(lock, caplog):
    HUEY.put(lock.key, {"taken_at": time.time() - 3600, "host": "worker-2", "pid": 4242, "token": "crashed"})
    with caplog.at_level(logging.WARNING, logger="gongzhi.worker"), lock:
        assert lock.holder()["token"] == lock.token
    assert "taken over" in caplog.text and "pid 4242 on worker-2" in caplog.text
    assert lock.holder() is None  # released after the run


def test_a_fresh_lock_held_by_another_run_is_respected(lock):
    theirs = {"taken_at": time.time() - 30, "host": "worker-2", "pid": 4242, "token": "running"}
    HUEY.put(lock.key, theirs)
    with pytest.raises(TaskLockedException), lock:
        pytest.fail("ran although another worker holds the lock")
    assert lock.holder() == theirs


def test_a_run_whose_lock_was_taken_over_does_not_release_the_new_holders(lock):
    with lock:
        HUEY.delete(lock.key)
        HUEY.put(lock.key, {"taken_at": time.time(), "host": "worker-2", "pid": 4242, "token": "new"})
    assert lock.holder()["token"] == "new"


def test_serve_clears_the_locks_of_dead_workers_on_this_host_only(lock):
    host = socket.gethostname()
    HUEY.put(lock.key, {"taken_at": time.time(), "host": host, "pid": dead_pid(), "token": "dead"})
    assert lock.name in tasks.clear_locks_of_dead_workers()
    assert lock.holder() is None
    for held in ({"taken_at": time.time(), "host": host, "pid": os.getpid(), "token": "alive"},
                 {"taken_at": time.time(), "host": "worker-2", "pid": dead_pid(), "token": "elsewhere"}):
        HUEY.put(lock.key, held)
        assert lock.name not in tasks.clear_locks_of_dead_workers()
        assert lock.holder() == held


@pytest.fixture
def no_supervisor(tmp_path, monkeypatch):
    path = tmp_path / "worker.json"
    monkeypatch.setattr(tasks, "supervisor_path", lambda: path)
    return path


@pytest.mark.django_db
def test_a_failing_task_is_recorded_and_healthz_names_it_once_late(client, monkeypatch, no_supervisor):
    from gongzhi.cases import tasks as case_tasks

    tasks.watch_periodic_tasks()
    WorkerHeartbeat.objects.create(pk=1, seen_at=timezone.now())

    def broken():
        raise ConnectionResetError("the mail relay went away")

    monkeypatch.setattr(case_tasks, "sweep", broken)
    with pytest.raises(ConnectionResetError):
        case_tasks.sweep_deadlines.call_local()
    run = PeriodicTaskRun.objects.get(name="cases.sweep_deadlines")
    assert run.last_error == "ConnectionResetError" and run.last_failure_at and run.last_success_at is None
    assert client.get("/healthz").status_code == 200  # failed once, not late yet

    # Three minutes on, the sweep still has not succeeded.
    PeriodicTaskRun.objects.filter(pk=run.pk).update(watched_since=timezone.now() - timedelta(minutes=4))
    WorkerHeartbeat.objects.filter(pk=1).update(seen_at=timezone.now())
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["late"] == ["cases.sweep_deadlines"]
    entry = next(t for t in body["tasks"] if t["task"] == "cases.sweep_deadlines")
    assert entry["last_error"] == "ConnectionResetError" and entry["late_by_s"] >= 60

    monkeypatch.setattr(case_tasks, "sweep", lambda: None)
    case_tasks.sweep_deadlines.call_local()
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json()["late"] == []
    assert PeriodicTaskRun.objects.get(pk=run.pk).last_success_at is not None


@pytest.mark.django_db
def test_a_stale_heartbeat_is_a_503(client, no_supervisor):
    WorkerHeartbeat.objects.create(pk=1, seen_at=timezone.now() - timedelta(minutes=5))
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["worker"]["state"] == "stalled"
    # A load balancer's check keeps the app servers in rotation: they serve pages all the same.
    assert client.get("/healthz?check=database").status_code == 200


@pytest.mark.django_db
def test_a_booting_worker_is_not_reported_but_a_dead_or_restarting_one_is(client, no_supervisor):
    def supervised(**state):
        now = time.time()
        no_supervisor.write_text(json.dumps({"host": socket.gethostname(), "serve_pid": os.getpid(),
                                             "started_at": now, "worker_pid": os.getpid(),
                                             "worker_started_at": now, "state": "running", "restarts": 0,
                                             **state}))
        return client.get("/healthz")

    # A fresh install: `serve` just started, no beat yet.
    assert supervised().status_code == 200
    # After the grace period, or after a restart, a worker that never beat is down.
    assert supervised(started_at=time.time() - 600).status_code == 503
    assert supervised(restarts=1).status_code == 503
    response = supervised(worker_pid=dead_pid())
    assert response.status_code == 503 and response.json()["worker"]["state"] == "down"
    # The restarted worker beat at its start.
    WorkerHeartbeat.objects.create(pk=1, seen_at=timezone.now())
    assert supervised(restarts=1, worker_started_at=time.time() - 5).status_code == 200


def health(base: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(base + "/healthz", timeout=5) as response:  # noqa: S310 (loopback only)
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_serve_restarts_a_killed_worker_and_healthz_tells(tmp_path):
    port = free_port()
    env = {**os.environ, "GONGZHI_DATA_DIR": str(tmp_path), "GONGZHI_TASKS_IMMEDIATE": "0", "REDIS_URL": "",
           "GONGZHI_WORKER_RESTART_DELAY": "2"}
    env.pop("DATABASE_URL", None)  # a database of its own (SQLite in tmp_path): the worker's rows are its
    proc = subprocess.Popen([sys.executable, "-m", "gongzhi.cli", "serve", "--port", str(port), "--workers", "1",
                             "--threads", "2"], env=env, cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"

    def wait_for(what, seconds):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"gongzhi serve stopped: {proc.stdout.read().decode(errors='replace')[-2000:]}")
            try:
                status, body = health(base)
            except OSError:
                status, body = None, {}
            if status and what(status, body):
                return body
            time.sleep(0.2)
        pytest.fail(f"waited {seconds}s in vain; /healthz said {status} {body}")

    try:
        # It migrates a new database first: on a busy machine that can take a minute or two.
        first = wait_for(lambda status, body: status == 200 and body["worker"]["state"] == "ok", 240)
        pid = json.loads((tmp_path / "worker.json").read_text())["worker_pid"]
        assert first["worker"]["pid"] == pid
        started = time.monotonic()
        os.kill(pid, signal.SIGKILL)
        down = wait_for(lambda status, body: status == 503, 20)
        assert down["worker"]["state"] in ("down", "starting")
        back = wait_for(lambda status, body: status == 200, 60 - (time.monotonic() - started))
        assert back["worker"]["pid"] != pid and back["worker"]["restarts"] == 1
        assert back["worker"]["state"] == "ok"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    log = proc.stdout.read().decode(errors="replace")
    assert f"the task worker (pid {pid}) exited" in log and "restarting the task worker (restart 1)" in log
    assert not (tmp_path / "worker.json").exists()
