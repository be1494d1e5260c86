"""What the registry benchmarks (bench/registry_*.py) share: a Django of their own over a data
directory of their own, with the demo city and its population built once (both are idempotent)."""

import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent


def set_up(size: str, database_url: str | None = None, *, populate: bool = True) -> None:
    """Configure and start Django for a benchmark at `size`; migrate; build what is missing."""
    os.environ["GONGZHI_DATA_DIR"] = str(REPO / "var" / f"bench-{size}-registry")
    os.environ["DJANGO_SETTINGS_MODULE"] = "gongzhi.settings"
    os.environ["GONGZHI_ALLOWED_HOSTS"] = "testserver"
    os.environ.setdefault("GONGZHI_LOG_LEVEL", "WARNING")
    for name in ("DATABASE_URL", "REDIS_URL", "GONGZHI_DEBUG"):
        os.environ.pop(name, None)
    if database_url:
        os.environ["DATABASE_URL"] = database_url

    import warnings

    import django

    warnings.filterwarnings("ignore", message="No directory at", module="django.core.handlers.base")
    django.setup()
    if populate:
        build(size)


def build(size: str) -> None:
    from django.core.management import call_command

    from gongzhi.accounts.models import User
    from gongzhi.demo.stages import all_but
    from gongzhi.registry.demo import analyze_registry, build_demo_population

    started = time.monotonic()
    call_command("migrate", interactive=False, verbosity=0)
    if not User.objects.filter(username="street_officer_a").exists():
        # The demo city (divisions, grids, personas), once; progress to stderr, figures to stdout.
        call_command("demo", size=size, skip=all_but(), stdout=sys.stderr)
    report = build_demo_population(size=size, progress=_progress)
    if not report.grids:
        analyze_registry()  # a migration may have rebuilt tables since the population was built
    else:
        print(f"\npopulation: {report.residents:,} residents in {report.grids:,} grids, "
              f"{time.monotonic() - started:.0f} s", file=sys.stderr)


def _progress(stage: str, done: int, total: int) -> None:
    if done == total or done % 400 == 0:
        print(f"\r{stage} {done}/{total}", end="", file=sys.stderr, flush=True)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]
