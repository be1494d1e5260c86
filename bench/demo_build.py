"""How long `gongzhi demo` takes and how much memory it needs, on a fresh SQLite database.

Run from the repository root:

    .venv/bin/python bench/demo_build.py --size city

Prints `demo_city_seconds N` and `demo_city_peak_mb N` (the same names for --size small: they
measure whatever size was asked) for the divisions, grids and personas — what every other part of the
demo stands on; `--whole` times every stage as well (a year of each app's use: minutes at small size,
which CI's Quick-start step builds anyway). The database lives in a temporary data directory that is removed
afterwards, so the user's own data (var/, DATABASE_URL) is never touched. The demo runs in a child
process, so its peak resident memory is measured alone, without this script's migrations.
"""

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=("small", "city"), default="city")
    parser.add_argument("--whole", action="store_true", help="every stage, not only the divisions and personas")
    args = parser.parse_args()
    size = args.size
    with tempfile.TemporaryDirectory(prefix="gongzhi-bench-") as data_dir:
        env = isolated_environment(data_dir)
        migrate()
        seconds, peak_mb = run_demo(size, env, whole=args.whole)
    print(f"demo_city_seconds {seconds:.1f}")
    print(f"demo_city_peak_mb {peak_mb:.0f}")


def isolated_environment(data_dir: str) -> dict[str, str]:
    """This process and the child both use a fresh SQLite file in `data_dir`."""
    os.environ.pop("DATABASE_URL", None)
    os.environ["GONGZHI_DATA_DIR"] = data_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "gongzhi.settings"
    sys.path.insert(0, str(ROOT))
    return dict(os.environ)


def migrate() -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def run_demo(size: str, env: dict[str, str], *, whole: bool) -> tuple[float, float]:
    from gongzhi.demo.stages import all_but

    skip = [] if whole else [arg for name in all_but() for arg in ("--skip", name)]
    started = time.monotonic()
    # The demo's own output goes to stderr, so stdout holds only the two figures.
    subprocess.run([sys.executable, "-m", "gongzhi.cli", "demo", "--size", size, *skip],
                   cwd=ROOT, env=env, check=True, stdout=sys.stderr)
    seconds = time.monotonic() - started
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # kilobytes on Linux
    return seconds, peak_kb / 1024


if __name__ == "__main__":
    main()
