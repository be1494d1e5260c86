"""The task worker's own tasks, and the supervision every periodic task gets through `periodic`:
locks that expire, a record of each run, and the health report /healthz answers with.

A periodic task is declared with `@periodic(crontab(...), late_after=timedelta(...), lock="name")`.
It then records its last success and last failure (gongzhi.core.models.PeriodicTaskRun), and /healthz
answers 503 naming it once its last success is older than `late_after`.
"""

import functools
import json
import logging
import os
import socket
import time
import uuid
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task, on_startup
from huey.exceptions import TaskLockedException

from .models import PeriodicTaskRun, WorkerHeartbeat

log = logging.getLogger("gongzhi.worker")

# A lock older than this is taken to be left by a crashed run. Well above the longest run expected
# (a sweep takes seconds): a run still going after this long is stuck anyway.
LOCK_STALE_AFTER_S = int(os.environ.get("GONGZHI_TASK_LOCK_STALE_AFTER", "1800"))
# After `serve` starts, a worker that has not beaten yet (and tasks that have not run yet) are not
# reported: a fresh install must not answer 503 while it boots.
HEALTH_GRACE_S = int(os.environ.get("GONGZHI_HEALTH_GRACE", "120"))
# The worker beats every minute; two missed beats mean it is stalled or stopped.
HEARTBEAT_STALE_S = 150

# This web process's start: the grace period's origin when no `serve` supervises a worker here.
PROCESS_STARTED = timezone.now()

PERIODIC: dict[str, int] = {}  # task name -> seconds it may be late
LOCKS: dict[str, str] = {}  # lock name -> storage key


# --- locks ---------------------------------------------------------------------------------------


def lock_key(name: str) -> str:
    # huey's own key format, so `run_huey --flush-locks` clears these too.
    return f"{HUEY.name}.lock.{name}"


def pid_alive(pid) -> bool:
    try:
        os.kill(int(pid), 0)
    except (ProcessLookupError, ValueError, TypeError):
        return False
    except PermissionError:
        return True
    return True


class ExpiringLock:
    """huey's task lock, but the holder records who took it and when, so a lock left by a crash is
    taken over after `stale_after` seconds (and cleared at once by `serve` on the same host)."""

    def __init__(self, name: str, stale_after: int | None = None):
        self.name = name
        self.key = lock_key(name)
        self.stale_after = LOCK_STALE_AFTER_S if stale_after is None else stale_after
        self.token = None
        LOCKS[name] = self.key
        HUEY._locks.add(self.key)

    def holder(self):
        return HUEY.get(self.key, peek=True)

    def acquire(self) -> None:
        token = uuid.uuid4().hex
        mine = {"taken_at": time.time(), "host": socket.gethostname(), "pid": os.getpid(), "token": token}
        if not HUEY.put_if_empty(self.key, mine):
            held = self.holder()
            age = time.time() - held["taken_at"] if isinstance(held, dict) else None
            if held is not None and age is not None and age < self.stale_after:
                raise TaskLockedException(f"unable to acquire lock {self.name}")
            # Two workers finding the same stale lock could both take it over in this gap; the
            # tasks are idempotent and a stale lock is rare, so this is left as it is.
            log.warning("task lock %s taken over: held since %s by %s (stale after %ss)", self.name,
                        f"{round(age)}s" if age is not None else "an unknown time", _who(held), self.stale_after)
            HUEY.delete(self.key)
            if not HUEY.put_if_empty(self.key, mine):
                raise TaskLockedException(f"unable to acquire lock {self.name}")
        self.token = token

    def release(self) -> None:
        held = self.holder()
        if isinstance(held, dict) and held.get("token") == self.token:
            HUEY.delete(self.key)
        else:
            # Ours was taken over as stale while we ran: the new holder's lock is not ours to drop.
            log.warning("task lock %s was taken over while its run went on", self.name)
        self.token = None

    def __enter__(self):
        self.acquire()
        return self

    def __exit__(self, *exc):
        self.release()


def _who(held) -> str:
    if isinstance(held, dict):
        return f"pid {held.get('pid')} on {held.get('host')}"
    return "an earlier version's worker"


def clear_locks_of_dead_workers(dead_pids=()) -> list[str]:
    """Locks held by workers of this host that are gone (or by `dead_pids`, reaped by `serve`),
    and locks of the earlier format (no holder recorded). Called by `serve` at start and after it
    found its worker dead."""
    host = socket.gethostname()
    cleared = []
    for name, key in LOCKS.items():
        held = HUEY.get(key, peek=True)
        if held is None:
            continue
        if isinstance(held, dict):
            if held.get("host") != host:
                continue
            if pid_alive(held.get("pid")) and held.get("pid") not in dead_pids:
                continue
        HUEY.delete(key)
        log.warning("task lock %s cleared: its holder (%s) is gone", name, _who(held))
        cleared.append(name)
    return cleared


# --- periodic tasks and their record ----------------------------------------------------------


def task_name(fn) -> str:
    module = fn.__module__.split(".")
    app = module[1] if module[0] == "gongzhi" and len(module) > 1 else fn.__module__
    return f"{app}.{fn.__name__}"


def periodic(schedule, *, late_after: timedelta, lock: str | None = None, lock_stale_after: int | None = None):
    """A huey periodic task whose runs are recorded and watched by /healthz. `late_after`: how long
    after its last success the task counts as late (a minute task: about three minutes). `lock`:
    run one at a time across workers, with an expiring lock."""

    def decorate(fn):
        name = task_name(fn)
        PERIODIC[name] = int(late_after.total_seconds())
        task_lock = ExpiringLock(lock, lock_stale_after) if lock else None

        @functools.wraps(fn)
        def run(*args, **kwargs):
            try:
                if task_lock is None:
                    result = fn(*args, **kwargs)
                else:
                    with task_lock:
                        result = fn(*args, **kwargs)
            except TaskLockedException:
                raise  # another worker runs it now: neither a success nor a failure here
            except Exception as exc:
                record_run(name, error=exc)
                raise
            record_run(name)
            return result

        return db_periodic_task(schedule)(run)

    return decorate


def record_run(name: str, *, error: BaseException | None = None) -> None:
    now = timezone.now()
    fields = ({"last_failure_at": now, "last_error": error.__class__.__name__[:200]} if error
              else {"last_success_at": now})
    try:
        updated = PeriodicTaskRun.objects.filter(name=name).update(**fields)
        if not updated:
            PeriodicTaskRun.objects.get_or_create(
                name=name, defaults={"late_after_s": PERIODIC.get(name, 180), "watched_since": now, **fields})
    except Exception:  # the record must not hide the task's own outcome (e.g. the database is down)
        log.exception("could not record the run of %s", name)


def watch_periodic_tasks() -> None:
    """At worker start: one row per periodic task this code declares, each watched from now."""
    now = timezone.now()
    for name, late in PERIODIC.items():
        PeriodicTaskRun.objects.update_or_create(name=name, defaults={"late_after_s": late, "watched_since": now})
    PeriodicTaskRun.objects.exclude(name__in=list(PERIODIC)).delete()


def beat() -> None:
    WorkerHeartbeat.objects.update_or_create(pk=1, defaults={"seen_at": timezone.now()})


@on_startup()
def worker_started():
    # The first beat at once, not at the next full minute: /healthz sees a (re)started worker quickly.
    try:
        beat()
        watch_periodic_tasks()
    finally:
        close_old_connections()


@periodic(crontab(minute="*"), late_after=timedelta(minutes=3))
def heartbeat():
    beat()


@db_task()
def heartbeat_now():
    """Enqueued by `gongzhi worker-check` and the tests to see that a worker is taking tasks."""
    beat()


# --- the supervisor's record (written by `serve`, read by /healthz on the same host) ------------


def supervisor_path():
    return settings.DATA_DIR / "worker.json"


def write_supervisor(state: dict) -> None:
    path = supervisor_path()
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.write_text(json.dumps(state))
    os.replace(tmp, path)


def read_supervisor() -> dict | None:
    """What the `serve` running on this host says of its worker; None when no live `serve` here
    supervises one (another host's file, a stopped `serve`, `--no-worker`, a development server)."""
    try:
        state = json.loads(supervisor_path().read_text())
    except (OSError, ValueError):
        return None
    if state.get("host") != socket.gethostname() or not pid_alive(state.get("serve_pid")):
        return None
    return state


def _at(epoch) -> datetime:
    return datetime.fromtimestamp(epoch, tz=UTC)


def health_report(now=None) -> tuple[bool, dict]:
    """The worker's and the periodic tasks' state; False when the worker is down or a task is late."""
    now = now or timezone.now()
    supervisor = read_supervisor()
    started = _at(supervisor["started_at"]) if supervisor else PROCESS_STARTED
    in_grace = (now - started).total_seconds() < HEALTH_GRACE_S
    healthy = True

    beat_row = WorkerHeartbeat.objects.filter(pk=1).first()
    worker = {"state": "unknown"}
    if beat_row is not None:
        age = (now - beat_row.seen_at).total_seconds()
        worker = {"state": "ok" if age < HEARTBEAT_STALE_S else "stalled",
                  "last_seen": beat_row.seen_at.isoformat(), "age_s": round(age)}
    if supervisor:
        worker["pid"] = supervisor.get("worker_pid")
        worker["restarts"] = supervisor.get("restarts", 0)
        alive = supervisor.get("state") == "running" and pid_alive(supervisor.get("worker_pid"))
        beaten = beat_row is not None and beat_row.seen_at >= _at(supervisor.get("worker_started_at", 0))
        if not alive:
            worker["state"] = "down"
        elif not beaten:
            # Started, not beaten yet: fine while `serve` boots, down after a restart or the grace.
            worker["state"] = "starting"
            healthy = healthy and in_grace and not supervisor.get("restarts")
    if worker["state"] in ("down", "stalled"):
        healthy = False
    elif worker["state"] == "unknown" and supervisor:
        healthy = healthy and in_grace

    tasks, late = [], []
    for run in PeriodicTaskRun.objects.order_by("name"):
        since = max(filter(None, (run.last_success_at, run.watched_since)))
        overdue = (now - since).total_seconds() - run.late_after_s
        entry = {"task": run.name, "late": overdue > 0, "late_after_s": run.late_after_s,
                 "last_success": run.last_success_at.isoformat() if run.last_success_at else None,
                 "last_failure": run.last_failure_at.isoformat() if run.last_failure_at else None,
                 "last_error": run.last_error or None}
        if overdue > 0:
            entry["late_by_s"] = round(overdue)
            late.append(run.name)
        tasks.append(entry)
    if late:
        healthy = False
    return healthy, {"worker": worker, "tasks": tasks, "late": late}
