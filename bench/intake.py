"""Reports per second through the API against a running `gongzhi serve`, beside a bare INSERT.

    .venv/bin/python bench/intake.py --size small|city [--clients 32] [--requests N] [--seconds S]

Starts `gongzhi serve` (gunicorn and the task worker) as a child process on a free port of
127.0.0.1, on the bench's data set (bench/_cases_bench.py: SQLite, or a scratch PostgreSQL database
when DATABASE_URL names a server), then drives it with 32 concurrent clients (threads, one
keep-alive http.client connection each):

- `bare_insert_per_s` — POST /bench/bare, a view doing one INSERT through the same middleware,
  workers and database (it exists only in this bench's URLconf, bench/_bench_urls.py, chosen for
  the server through GUNICORN_CMD_ARGS; production URLs never have it);
- `intake_cases_per_s`, `intake_p99_ms` — residents' reports with a location through
  POST /api/v1/cases/ (bearer token, grid lookup, the case, its follower, timeline and audit rows,
  the tracking number, the nearby-duplicates search of the answer);
- `intake_vs_bare_ratio` — the two rates' ratio.

Each phase stops after --requests requests or --seconds seconds, whichever comes first; the server
is stopped at the end (by its process id). Loopback only. Goals at city size on PostgreSQL:
≥ 300 cases/s and a ratio ≥ 0.5.
"""

import argparse
import http.client
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import zlib
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._cases_bench import REPO, SIZES, ensure_data, percentile, say, set_up_django, vendor

DEFAULTS = {"small": {"requests": 300, "seconds": 15.0}, "city": {"requests": 6000, "seconds": 90.0}}
RESIDENTS = "bench_resident_"
CATEGORIES = ("litter", "flooding", "noise", "parking", "pets")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(clients: int) -> tuple[list[str], list[tuple[float, float]], list[str]]:
    """Bearer tokens for `clients` residents, points inside grids, and category codes."""
    from shapely.geometry import shape

    from gongzhi.accounts.choices import Role
    from gongzhi.accounts.models import RoleAssignment, User
    from gongzhi.accounts.services import issue_token
    from gongzhi.cases.models import Category
    from gongzhi.divisions.choices import Level
    from gongzhi.divisions.models import Division

    tokens = []
    for i in range(clients):
        user, created = User.objects.get_or_create(username=f"{RESIDENTS}{i:02d}",
                                                   defaults={"display_name": f"压测居民{i:02d}"})
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
            RoleAssignment.objects.get_or_create(user=user, role=Role.RESIDENT, revoked_at=None,
                                                 division=Division.objects.filter(level=Level.COMMUNITY).first())
        _token, raw = issue_token(actor=user, name="bench-intake")
        tokens.append(raw)
    rng = random.Random(7)
    grids = list(Division.objects.filter(level=Level.GRID, is_active=True, geometry__isnull=False)
                 .values_list("geometry", flat=True)[:2000])
    points = []
    for geometry in rng.sample(grids, min(300, len(grids))):
        p = shape(geometry).representative_point()
        points.append((round(p.x, 6), round(p.y, 6)))
    codes = list(Category.objects.filter(code__in=CATEGORIES, is_active=True).values_list("code", flat=True)) \
        or list(Category.objects.filter(parent__isnull=False, is_active=True).values_list("code", flat=True)[:5])
    return tokens, points, codes


class Server:
    """`gongzhi serve` on a free loopback port, its output in the bench's data directory."""

    def __init__(self, env: dict[str, str]):
        self.port = free_port()
        log = Path(env["GONGZHI_DATA_DIR"]) / "intake-server.log"
        self.log = log.open("w")
        child_env = {**os.environ, **env,
                     "GUNICORN_CMD_ARGS": "--env DJANGO_SETTINGS_MODULE=bench._bench_settings",
                     "PYTHONPATH": str(REPO)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gongzhi.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port),
             "--no-migrate"],
            cwd=REPO, env=child_env, stdout=self.log, stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"the server stopped (exit {self.process.returncode}); see {self.log.name}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise SystemExit("the server did not answer /healthz in time")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log.close()


class Phase:
    """`clients` threads posting until `requests` were sent or `seconds` passed."""

    def __init__(self, name: str, port: int, clients: int, requests: int, seconds: float, make):
        self.name, self.port, self.clients, self.requests = name, port, clients, requests
        self.seconds, self.make = seconds, make
        self.lock = threading.Lock()
        self.sent = 0
        self.latencies: list[float] = []
        self.errors: dict[str, int] = {}

    def _next(self) -> int | None:
        with self.lock:
            if self.sent >= self.requests or time.monotonic() > self.deadline:
                return None
            self.sent += 1
            return self.sent

    def _worker(self, client: int) -> None:
        conn = None
        while (n := self._next()) is not None:
            path, body, headers, expected = self.make(client, f"{self.name}-{n}")
            started = time.perf_counter()
            for attempt in (1, 2):
                try:
                    if conn is None:
                        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                    conn.request("POST", path, body=body, headers=headers)
                    response = conn.getresponse()
                    payload = response.read()
                    break
                except (http.client.HTTPException, OSError) as exc:
                    conn = None  # the server closed the keep-alive connection: reconnect once
                    if attempt == 2:
                        self._error(type(exc).__name__)
                        response = None
            elapsed = time.perf_counter() - started
            if response is None:
                continue
            if response.status != expected:
                self._error(f"{response.status} {payload[:120]!r}")
                continue
            with self.lock:
                self.latencies.append(elapsed)

    def _error(self, what: str) -> None:
        with self.lock:
            self.errors[what] = self.errors.get(what, 0) + 1

    def run(self) -> dict:
        self.deadline = time.monotonic() + self.seconds
        threads = [threading.Thread(target=self._worker, args=(i,), daemon=True) for i in range(self.clients)]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
        done = len(self.latencies)
        return {"done": done, "per_s": done / elapsed if elapsed else 0.0, "seconds": elapsed,
                "p99_ms": percentile(self.latencies, 0.99) * 1000 if done else float("nan"),
                "median_ms": percentile(self.latencies, 0.5) * 1000 if done else float("nan"),
                "errors": self.errors}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=list(SIZES), default="small")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--requests", type=int, help="per phase (default: 300 small, 6000 city)")
    parser.add_argument("--seconds", type=float, help="per phase at most (default: 15 small, 90 city)")
    parser.add_argument("--rebuild", action="store_true", help="build the data set afresh")
    args = parser.parse_args()
    requests = args.requests or DEFAULTS[args.size]["requests"]
    seconds = args.seconds or DEFAULTS[args.size]["seconds"]

    env = set_up_django(args.size, fresh=args.rebuild)
    built = ensure_data(args.size)
    tokens, points, codes = prepare(args.clients)
    from django.db import connections

    connections.close_all()  # the server has the database to itself while it is measured

    run_id = f"{int(time.time())}-{os.getpid()}"

    def bare(client: int, key: str):
        return "/bench/bare", b"", {"Content-Length": "0"}, 201

    def report(client: int, key: str):
        n = zlib.crc32(key.encode())
        lng, lat = points[n % len(points)]
        body = urlencode({"description": f"压测上报 {run_id} #{key}：路边垃圾堆积", "lng": lng, "lat": lat,
                          "category": codes[n % len(codes)]}).encode()
        return "/api/v1/cases/", body, {
            "Authorization": f"Bearer {tokens[client]}", "Idempotency-Key": f"{run_id}-{key}",
            "Content-Type": "application/x-www-form-urlencoded"}, 201

    server = Server(env)
    try:
        server.wait_ready()
        # Warm every worker: its connections, the grid index, the calendar.
        Phase("warm-report", server.port, args.clients, args.clients * 3, 60, report).run()
        Phase("warm-bare", server.port, args.clients, args.clients * 3, 60, bare).run()
        bare_result = Phase("bare", server.port, args.clients, requests, seconds, bare).run()
        intake_result = Phase("intake", server.port, args.clients, requests, seconds, report).run()
    finally:
        server.stop()
    say(f"{built['cases']:,} cases on {vendor()}, {args.clients} clients; bare: {bare_result['done']:,} in "
        f"{bare_result['seconds']:.1f} s, median {bare_result['median_ms']:.1f} ms, errors {bare_result['errors']}; "
        f"intake: {intake_result['done']:,} in {intake_result['seconds']:.1f} s, median "
        f"{intake_result['median_ms']:.1f} ms, errors {intake_result['errors']}")
    ratio = intake_result["per_s"] / bare_result["per_s"] if bare_result["per_s"] else float("nan")
    print(f"intake_cases_per_s {intake_result['per_s']:.1f}")
    print(f"intake_p99_ms {intake_result['p99_ms']:.1f}")
    print(f"bare_insert_per_s {bare_result['per_s']:.1f}")
    print(f"intake_vs_bare_ratio {ratio:.2f}")


if __name__ == "__main__":
    main()
