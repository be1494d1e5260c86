"""p95 latency of a department's work queue and of the city's monthly ranking, through the whole
Django stack (middleware, session, scope, templates) with Django's test Client, no network.

    .venv/bin/python bench/queue.py --size small|city [--requests 100] [--rebuild]

Prints `queue_p95_ms N` — the department staff persona's "to accept" queue: the page
/cases/?queue=to_accept when the case pages exist, else GET /api/v1/cases/queues/to_accept — and
`ranking_p95_ms N` — the city administrator's ranking of streets for the current month, computed
live (/assessment/?type=street). Goals at city size (1,000,000 cases): under 200 each. The data
set is built by bench/_cases_bench.py (and reused by the next run).
"""

import sys

if __name__ == "queue":
    # A script of bench/ is running (so bench/ is on sys.path) and something imported the standard
    # library's `queue` (concurrent.futures, huey, …), which this file's name shadows: be that module.
    import importlib.util
    import sysconfig

    _spec = importlib.util.spec_from_file_location("queue", f"{sysconfig.get_path('stdlib')}/queue.py")
    _stdlib_queue = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(_stdlib_queue)
    globals().update({k: v for k, v in vars(_stdlib_queue).items()
                      if k not in ("__name__", "__file__", "__spec__", "__loader__", "__cached__")})
else:
    from pathlib import Path

    # Keep this directory off the import path, so `import queue` finds the standard library's.
    _HERE = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
    sys.path.insert(0, str(_HERE.parent))

# Nothing below runs at import beyond definitions (imports are inside the functions), so this
# module stays the standard library's queue when it is imported as one.
STAFF, LEADER = "department_staff", "city_admin"


def timed(client, url: str, params: dict, requests: int) -> list[float]:
    """Seconds taken by each of `requests` GETs (after a short warm-up)."""
    import time

    def get() -> float:
        started = time.perf_counter()
        response = client.get(url, params)
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}: {response.content[:300]!r}")
        return elapsed

    for _ in range(5):  # warm caches and the connection
        get()
    return [get() for _ in range(requests)]


def fill_queue(department, n: int = 200) -> None:
    """Give the department a queue worth reading: its `n` latest cases back to "waiting to be
    accepted" (the generated year leaves few unaccepted). Idempotent."""
    from django.db.models import F

    from gongzhi.cases.models import Case

    waiting = Case.objects.filter(handling_department=department, state="dispatched").count()
    if waiting >= n:
        return
    latest = Case.objects.filter(handling_department=department).exclude(state="dispatched") \
        .order_by("-submitted_at").values_list("pk", flat=True)[:n - waiting]
    Case.objects.filter(pk__in=list(latest)).update(
        state="dispatched", accepted_at=None, resolved_at=None, verified_at=None, closed_at=None, rated_at=None,
        rating="", response_due=F("dispatched_at"), handling_due=F("dispatched_at"))


def queue_target(client) -> tuple[str, dict]:
    """The queue page when the case pages exist, else the API's queue."""
    page = client.get("/cases/", {"queue": "to_accept"})
    if page.status_code == 200:
        return "/cases/", {"queue": "to_accept"}
    return "/api/v1/cases/queues/to_accept", {}


def main() -> None:
    import argparse
    import statistics

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=["small", "city"], default="small")
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--rebuild", action="store_true", help="build the data set afresh")
    args = parser.parse_args()
    from bench._cases_bench import SIZES, ensure_data, percentile, say, set_up_django, vendor  # noqa: F401

    set_up_django(args.size, fresh=args.rebuild)
    built = ensure_data(args.size)

    from django.test import Client

    from gongzhi.accounts.models import User
    from gongzhi.cases.models import Case

    staff = Client()
    staff.force_login(User.objects.get(username=STAFF), backend="gongzhi.accounts.backends.UsernameOrPhoneBackend")
    department = User.objects.get(username=STAFF).role_assignments.get(revoked_at=None).department
    fill_queue(department)
    url, params = queue_target(staff)
    waiting = Case.objects.filter(handling_department=department, state="dispatched").count()
    queue = timed(staff, url, params, args.requests)

    leader = Client()
    leader.force_login(User.objects.get(username=LEADER), backend="gongzhi.accounts.backends.UsernameOrPhoneBackend")
    ranking = timed(leader, "/assessment/", {"type": "street"}, args.requests)
    departments = timed(leader, "/assessment/", {"type": "department"}, max(10, args.requests // 5))

    say(f"{built['cases']:,} cases on {vendor()}; {department} has {waiting:,} to accept; "
        f"queue {url} median {statistics.median(queue) * 1000:.1f} ms; ranking of streets median "
        f"{statistics.median(ranking) * 1000:.1f} ms; of departments p95 {percentile(departments, 0.95) * 1000:.1f} ms")
    print(f"queue_p95_ms {percentile(queue, 0.95) * 1000:.1f}")
    print(f"ranking_p95_ms {percentile(ranking, 0.95) * 1000:.1f}")


if __name__ == "__main__":
    main()
