import os
import signal
import subprocess
import sys

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
        children = []
        if not opts["no_worker"]:
            worker = [sys.executable, "-m", "gongzhi.cli", "run_huey", "--workers", "2"]
            children.append(subprocess.Popen(worker, env=env))
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
        children.append(web)
        self.stdout.write(f"Gongzhi is serving at http://{opts['host']}:{opts['port']}/  (Ctrl-C stops it)")

        def stop(signum, frame):
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        code = web.wait()
        stop(None, None)
        for child in children:
            child.wait(timeout=30)
        sys.exit(code)
