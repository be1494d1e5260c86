import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve Gongzhi with gunicorn (static files included) and run the background task worker."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("GONGZHI_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("GONGZHI_PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("GONGZHI_WEB_WORKERS", "3")))
        parser.add_argument("--threads", type=int, default=int(os.environ.get("GONGZHI_WEB_THREADS", "4")))
        parser.add_argument("--no-worker", action="store_true", help="do not start the task worker here")
        parser.add_argument("--no-migrate", action="store_true", help="do not apply pending migrations first")

    def handle(self, *args, **opts):
        if not opts["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        if not (settings.STATIC_ROOT / "staticfiles.json").exists():
            call_command("collectstatic", interactive=False, verbosity=0)
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "gongzhi.settings"}
        supervisor = None if opts["no_worker"] else WorkerSupervisor(env, self.stderr)
        web = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn", "gongzhi.wsgi:application",
                "--bind", f"{opts['host']}:{opts['port']}",
                "--workers", str(opts["workers"]), "--threads", str(opts["threads"]),
                "--worker-class", "gthread", "--access-logfile", "-", "--graceful-timeout", "20",
                # Query strings can carry search terms such as phone numbers: keep them out of the log.
                "--access-logformat", '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms',
            ],
            env=env,
        )
        self.stdout.write(f"Gongzhi is serving at http://{opts['host']}:{opts['port']}/  (Ctrl-C stops it)")
        stopping = []

        def stop(signum, frame):
            stopping.append(signum)
            if web.poll() is None:
                web.send_signal(signal.SIGTERM)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            while web.poll() is None:
                if supervisor is not None and not stopping:
                    supervisor.check()
                time.sleep(0.5)
        finally:
            stop(None, None)
            if supervisor is not None:
                supervisor.stop()
            web.wait(timeout=30)
        sys.exit(web.returncode)


class WorkerSupervisor:
    """Starts the task worker, restarts it when it dies (waiting longer after each quick death),
    and keeps DATA_DIR/worker.json current so /healthz on this host knows at once when it is down."""

    FIRST_DELAY_S = float(os.environ.get("GONGZHI_WORKER_RESTART_DELAY", "1"))
    MAX_DELAY_S = 60.0
    STEADY_S = 300.0  # a worker that ran this long died of something new: restart it at once again

    def __init__(self, env, log):
        from django.utils.module_loading import autodiscover_modules

        from gongzhi.core import tasks

        autodiscover_modules("tasks")  # every task lock is known before stale ones are cleared
        self.tasks, self.env, self.log = tasks, env, log
        self.state = {"host": socket.gethostname(), "serve_pid": os.getpid(), "started_at": time.time(),
                      "restarts": 0}
        for name in tasks.clear_locks_of_dead_workers():
            log.write(f"cleared the task lock {name} left by a previous worker")
        self.delay = self.FIRST_DELAY_S
        self.restart_at = None
        self.process = None
        self.start()

    def start(self):
        self.process = subprocess.Popen([sys.executable, "-m", "gongzhi.cli", "run_huey", "--workers", "2"],
                                        env=self.env)
        self.state.update(worker_pid=self.process.pid, worker_started_at=time.time(), state="running")
        self.tasks.write_supervisor(self.state)

    def check(self):
        now = time.time()
        if self.restart_at is not None:
            if now >= self.restart_at:
                self.restart_at = None
                self.state["restarts"] += 1
                self.log.write(f"restarting the task worker (restart {self.state['restarts']})")
                self.start()
            return
        code = self.process.poll()
        if code is None:
            return
        ran = now - self.state["worker_started_at"]
        self.delay = self.FIRST_DELAY_S if ran > self.STEADY_S else self.delay
        self.state["state"] = "down"
        self.tasks.write_supervisor(self.state)
        for name in self.tasks.clear_locks_of_dead_workers(dead_pids=(self.process.pid,)):
            self.log.write(f"cleared the task lock {name} held by the dead worker")
        self.log.write(f"the task worker (pid {self.process.pid}) exited with {code} after {round(ran)}s; "
                       f"restarting it in {self.delay:g}s")
        self.restart_at = now + self.delay
        self.delay = min(self.delay * 2, self.MAX_DELAY_S)

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
        with contextlib.suppress(OSError, ValueError):
            if json.loads(self.tasks.supervisor_path().read_text()).get("serve_pid") == os.getpid():
                self.tasks.supervisor_path().unlink()
