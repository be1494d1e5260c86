"""Reports per second through the API against a running `gongzhi serve`, beside a bare INSERT.

    .venv/bin/python bench/intake.py --size small|city [--clients 32] [--requests N] [--seconds S]
                                     [--rounds R]

Starts `gongzhi serve` (gunicorn and the task worker) as a child process on a free port of
127.0.0.1, on the bench's data set (bench/_cases_bench.py: SQLite, or a scratch PostgreSQL database
when DATABASE_URL names a server), then drives it with 32 concurrent clients (threads, one
keep-alive http.client connection each):

- `bare_insert_per_s` — POST /bench/bare, one INSERT through the same stack: the workers, the
  middleware, django-ninja and the API's bearer-token check (the same residents' tokens), the
  database (it exists only in this bench's URLconf, bench/_bench_urls.py, chosen for the server
  through GUNICORN_CMD_ARGS; production URLs never have it);
- `intake_cases_per_s`, `intake_p99_ms` — residents' reports with a location and a category
  through POST /api/v1/cases/ (bearer token, grid lookup, the case with its community, street and
  district, its follower, timeline and audit rows, the tracking number, the idempotency key; the
  search for the same problem nearby is the client's own call, GET /api/v1/cases/nearby, and is
  not part of this figure);
- `intake_vs_bare_ratio` — the two rates' ratio;
- `intake_cpu_ms_per_case`, `bare_cpu_ms_per_insert`, `intake_vs_bare_cpu_ratio` — what one
  request costs in CPU: the server's processes, the database's (PostgreSQL, when its processes
  are visible here) and this client's. On a machine other work shares these move less than the
  rates do.

The two phases take turns (`--rounds`, 3 by default, each with its share of the requests and
seconds), so load from other work on the machine falls on both alike. Each phase stops after
--requests requests or --seconds seconds, whichever comes first; the server is stopped at the end
(by its process id). Reports earlier runs posted are removed first, so every run meets the same
data set. Loopback only. Goals at city size on PostgreSQL: ≥ 300 cases/s and a ratio ≥ 0.5.
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
MARK = "压测上报 "  # how this bench's reports begin
CATEGORIES = ("litter", "flooding", "noise", "parking", "pets")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def forget_earlier_runs() -> int:
    """Remove the reports earlier runs posted (with their rows), so every run meets the same data
    set: left in place they would pile up at the bench's points and make each later run's
    duplicate search longer than a city's would be."""
    from django.db import connection, transaction

    from gongzhi.cases.models import Case

    ids = list(Case.objects.filter(description__startswith=MARK).values_list("pk", flat=True))
    with transaction.atomic():
        for start in range(0, len(ids), 5000):
            chunk = ids[start:start + 5000]
            with connection.cursor() as cursor:  # audit rows refuse the ORM's delete: they are append-only
                cursor.execute(f"DELETE FROM core_auditentry WHERE object_type = 'cases.case' AND object_id IN "  # noqa: S608
                               f"({', '.join(['%s'] * len(chunk))})", [str(pk) for pk in chunk])
            Case.objects.filter(pk__in=chunk).delete()
    return len(ids)


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


def _children(pid: int) -> list[int]:
    """`pid` and all its descendants (from /proc)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            parents.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += parents.get(p, [])
    return out


def _database_backends(database: str) -> list[int]:
    """PostgreSQL server processes serving `database` (their titles name it), when visible."""
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                title = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if title.startswith(b"postgres:") and f" {database} ".encode() in title:
                out.append(int(entry.name))
    return out


def _cpu_seconds(pids: list[int]) -> float:
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime + stime
    return total / tick


class CpuMeter:
    """CPU seconds spent by the server (gunicorn, its workers, the task worker), by the database's
    server processes for the bench database (PostgreSQL, when visible), and by this client — so a
    phase's cost per request can be judged on a machine other work shares."""

    def __init__(self, server_pid: int, database: str | None):
        self.server_pid, self.database = server_pid, database

    def read(self) -> dict[str, float]:
        db = _cpu_seconds(_database_backends(self.database)) if self.database else 0.0
        return {"server": _cpu_seconds(_children(self.server_pid)), "db": db,
                "client": time.process_time()}


class Phase:
    """`clients` threads posting until `requests` were sent or `seconds` passed; run again, it goes
    on where it stopped (new keys) and its figures cover every run."""

    def __init__(self, name: str, port: int, clients: int, requests: int, seconds: float, make):
        self.name, self.port, self.clients, self.requests = name, port, clients, requests
        self.seconds, self.make = seconds, make
        self.lock = threading.Lock()
        self.sent = self.limit = 0
        self.latencies: list[float] = []
        self.errors: dict[str, int] = {}
        self.elapsed = 0.0
        self.cpu_s: dict[str, float] = {}

    def _next(self) -> int | None:
        with self.lock:
            if self.sent >= self.limit or time.monotonic() > self.deadline:
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

    def run(self, meter: "CpuMeter | None" = None, share: float = 1.0) -> dict:
        """Post `share` of the phase's requests (within `share` of its seconds)."""
        before = meter.read() if meter else None
        self.limit = self.sent + max(1, round(self.requests * share))
        self.deadline = time.monotonic() + self.seconds * share
        threads = [threading.Thread(target=self._worker, args=(i,), daemon=True) for i in range(self.clients)]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.elapsed += time.monotonic() - started
        if meter:
            after = meter.read()
            for k in after:
                self.cpu_s[k] = self.cpu_s.get(k, 0.0) + after[k] - before[k]
        return self.result()

    def result(self) -> dict:
        done, elapsed = len(self.latencies), self.elapsed
        cpu = {k: v * 1000 / done for k, v in self.cpu_s.items()} if done else {}
        return {"cpu_ms": cpu, "done": done, "per_s": done / elapsed if elapsed else 0.0, "seconds": elapsed,
                "p99_ms": percentile(self.latencies, 0.99) * 1000 if done else float("nan"),
                "median_ms": percentile(self.latencies, 0.5) * 1000 if done else float("nan"),
                "errors": self.errors}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=list(SIZES), default="small")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--requests", type=int, help="per phase (default: 300 small, 6000 city)")
    parser.add_argument("--seconds", type=float, help="per phase at most (default: 15 small, 90 city)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="the bare and intake phases take turns this many times, each with its share")
    parser.add_argument("--rebuild", action="store_true", help="build the data set afresh")
    args = parser.parse_args()
    requests = args.requests or DEFAULTS[args.size]["requests"]
    seconds = args.seconds or DEFAULTS[args.size]["seconds"]

    env = set_up_django(args.size, fresh=args.rebuild)
    built = ensure_data(args.size)
    forgotten = forget_earlier_runs()
    if forgotten:
        say(f"removed {forgotten:,} reports earlier runs posted")
    tokens, points, codes = prepare(args.clients)
    from django.db import connections

    connections.close_all()  # the server has the database to itself while it is measured

    run_id = f"{int(time.time())}-{os.getpid()}"

    def bare(client: int, key: str):
        return "/bench/bare", b"", {"Authorization": f"Bearer {tokens[client]}", "Content-Length": "0"}, 201

    def report(client: int, key: str):
        n = zlib.crc32(key.encode())
        lng, lat = points[n % len(points)]
        body = urlencode({"description": f"{MARK}{run_id} #{key}：路边垃圾堆积", "lng": lng, "lat": lat,
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
        from django.db import connection

        meter = CpuMeter(server.process.pid,
                         connection.settings_dict["NAME"] if connection.vendor == "postgresql" else None)
        # Other work on the machine comes and goes: the two phases take turns, so both see it alike.
        bare_phase = Phase("bare", server.port, args.clients, requests, seconds, bare)
        intake_phase = Phase("intake", server.port, args.clients, requests, seconds, report)
        for _ in range(args.rounds):
            bare_phase.run(meter, 1 / args.rounds)
            intake_phase.run(meter, 1 / args.rounds)
        bare_result, intake_result = bare_phase.result(), intake_phase.result()
    finally:
        server.stop()
    say(f"{built['cases']:,} cases on {vendor()}, {args.clients} clients; bare: {bare_result['done']:,} in "
        f"{bare_result['seconds']:.1f} s, median {bare_result['median_ms']:.1f} ms, errors {bare_result['errors']}; "
        f"intake: {intake_result['done']:,} in {intake_result['seconds']:.1f} s, median "
        f"{intake_result['median_ms']:.1f} ms, errors {intake_result['errors']}")
    for name, result in (("bare", bare_result), ("intake", intake_result)):
        cpu = result["cpu_ms"]
        if cpu:
            say(f"{name}: CPU ms per request: server {cpu['server']:.2f}, database {cpu['db']:.2f}, "
                f"client {cpu['client']:.2f} (load average {os.getloadavg()[0]:.2f})")
    ratio = intake_result["per_s"] / bare_result["per_s"] if bare_result["per_s"] else float("nan")
    print(f"intake_cases_per_s {intake_result['per_s']:.1f}")
    print(f"intake_p99_ms {intake_result['p99_ms']:.1f}")
    print(f"bare_insert_per_s {bare_result['per_s']:.1f}")
    print(f"intake_vs_bare_ratio {ratio:.2f}")
    # What a request costs in CPU — the server's processes, the database's (PostgreSQL, where its
    # processes are visible) and this client's — steadier than rates on a machine others share.
    if intake_result["cpu_ms"] and bare_result["cpu_ms"]:
        intake_cpu, bare_cpu = sum(intake_result["cpu_ms"].values()), sum(bare_result["cpu_ms"].values())
        print(f"intake_cpu_ms_per_case {intake_cpu:.2f}")
        print(f"bare_cpu_ms_per_insert {bare_cpu:.2f}")
        print(f"intake_vs_bare_cpu_ratio {bare_cpu / intake_cpu:.2f}")


if __name__ == "__main__":
    main()
