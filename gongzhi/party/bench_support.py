"""What bench/party.py needs: a Django of its own over a data directory of its own, with the demo
city's divisions, personas and departments, and the demo's party organisation sized for the bench
(20,000 members at `small`, 200,000 at `city`), built once (the demo stages are idempotent).

The registry's population is left out (at city size it takes some 20 minutes and the party figures do
not read it): members are not linked to residents, and the coverage check finds no registry units."""

import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent
MEMBERS = {"small": 20_000, "city": 200_000}


def set_up(size: str, database_url: str | None = None) -> None:
    """Configure and start Django for the bench at `size`; migrate; build what is missing."""
    os.environ["GONGZHI_DATA_DIR"] = str(REPO / "var" / f"bench-{size}-party")
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
    build(size)


def build(size: str) -> None:
    from django.core.management import call_command

    from gongzhi.accounts.models import User
    from gongzhi.demo.stages import all_but
    from gongzhi.divisions.models import Division
    from gongzhi.party.demo import analyze_party, build_demo_party

    started = time.monotonic()
    call_command("migrate", interactive=False, verbosity=0)
    if not User.objects.filter(username="street_officer_a").exists():
        # The demo city (divisions, grids, personas, departments), once; progress to stderr.
        call_command("demo", size=size, skip=all_but("departments"), stdout=sys.stderr)
    communities = Division.objects.filter(level="community", is_active=True).count()
    report = build_demo_party(size=size, per_community=max(8, round(MEMBERS[size] / max(1, communities))),
                              progress=_progress)
    if not report.communities:
        analyze_party()  # a migration may have rebuilt tables since the members were built
    else:
        print(f"\nparty: {report.members:,} members in {report.communities:,} communities, "
              f"{report.seconds:.0f} s (with the divisions {time.monotonic() - started:.0f} s)", file=sys.stderr)
    _vacuum()


def _vacuum() -> None:
    """PostgreSQL: what autovacuum does some time after a bulk load, now — the dashboard's counts
    are index-only scans, which read the heap until the visibility map is set."""
    from django.db import connection

    from gongzhi.party.models import Member, MemberRegistration

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (Member, MemberRegistration):
                cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _progress(stage: str, done: int, total: int) -> None:
    if done == total or done % 200 == 0:
        print(f"\r{stage} {done}/{total}", end="", file=sys.stderr, flush=True)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]
