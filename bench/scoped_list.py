"""p95 latency of the scoped grid list, as a street officer, through the whole Django stack.

    .venv/bin/python bench/scoped_list.py --size small|city [--requests 200]

Prints `scoped_grid_list_p95_ms N` (goal at city size: under 50). Every request goes through the
middleware, bearer-token authentication, the scope filter, pagination and JSON rendering, with
Django's test Client (no network). The benchmark keeps its own data directory and SQLite database
under var/bench-<size>/ — DATABASE_URL and REDIS_URL from the environment are ignored unless
--database-url is given — and builds the demo data there once (the demo command is idempotent).
"""

import argparse
import math
import os
import random
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PERSONA = "street_officer_a"


def set_up_django(size: str, database_url: str | None) -> None:
    sys.path.insert(0, str(REPO))
    os.environ["GONGZHI_DATA_DIR"] = str(REPO / "var" / f"bench-{size}")
    os.environ["DJANGO_SETTINGS_MODULE"] = "gongzhi.settings"
    os.environ["GONGZHI_ALLOWED_HOSTS"] = "testserver"
    os.environ.setdefault("GONGZHI_LOG_LEVEL", "WARNING")
    for name in ("DATABASE_URL", "REDIS_URL", "GONGZHI_DEBUG"):
        os.environ.pop(name, None)
    if database_url:
        os.environ["DATABASE_URL"] = database_url

    import warnings

    import django

    # Static files are not collected for a benchmark; whitenoise need not say so.
    warnings.filterwarnings("ignore", message="No directory at", module="django.core.handlers.base")
    django.setup()


def build_data(size: str) -> None:
    from django.core.management import call_command

    from gongzhi.demo.stages import all_but

    call_command("migrate", interactive=False, verbosity=0)
    # The divisions and personas are what a grid list reads. Progress goes to stderr: stdout
    # carries the figure alone.
    call_command("demo", size=size, skip=all_but(), stdout=sys.stderr)


def measure(requests: int) -> dict:
    from django.test import Client

    from gongzhi.accounts.models import User
    from gongzhi.accounts.services import issue_token

    user = User.objects.get(username=PERSONA)
    _, raw = issue_token(actor=user, name="bench")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    url = "/api/v1/grids/"

    def get(page: int) -> float:
        started = time.perf_counter()
        response = client.get(url, {"page": page})
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise SystemExit(f"{url}?page={page} answered {response.status_code}: {response.content[:300]!r}")
        return elapsed

    first = client.get(url, {"page": 1}).json()
    pages = max(1, math.ceil(first["count"] / max(1, len(first["items"]))))
    rng = random.Random(20241122)
    for _ in range(10):  # warm caches and connections
        get(rng.randint(1, pages))
    timings = [get(rng.randint(1, pages)) for _ in range(requests)]
    timings.sort()
    return {
        "url": url,
        "pages": pages,
        "p95_ms": timings[math.ceil(0.95 * len(timings)) - 1] * 1000,
        "median_ms": statistics.median(timings) * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=["small", "city"], default="small")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--database-url",
                        help="measure on this database instead of SQLite in var/bench-<size>/")
    args = parser.parse_args()

    set_up_django(args.size, args.database_url)
    build_data(args.size)
    result = measure(args.requests)
    print(f"# {PERSONA} GET {result['url']}?page=1..{result['pages']}, {args.requests} requests, "
          f"median {result['median_ms']:.1f} ms", file=sys.stderr)
    print(f"scoped_grid_list_p95_ms {result['p95_ms']:.1f}")


if __name__ == "__main__":
    main()
