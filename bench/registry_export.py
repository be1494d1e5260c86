"""Time and memory to export 100,000 residents to .xlsx, scoped and masked, as the city administrator.

    .venv/bin/python bench/registry_export.py --size small|city [--database-url URL]

Prints `export_100k_seconds N` (goal under 30) and `export_peak_mb N` (goal under 500): the peak
resident memory of a fresh process that starts Django and exports, so the figure includes Django
itself. At the small size the city holds fewer than 100,000 residents; the seconds are then scaled
to 100,000 rows from the rows there are (`export_rows` says how many). The export goes through the
same function as the API's (selectors, masking, the audit row), into a temporary file.
"""

import argparse
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ROWS = 100_000


def measure(size: str, database_url: str | None) -> None:
    """In the child process: export and print the figures."""
    from gongzhi.registry.bench_support import set_up

    set_up(size, database_url, populate=False)
    from gongzhi.accounts.models import User
    from gongzhi.registry.spreadsheets.exporting import export_list

    admin = User.objects.get(username="city_admin")
    started = time.perf_counter()
    exported = export_list(actor=admin, entity="residents", limit=ROWS)
    size_mb = exported.file.seek(0, 2) / 2**20
    exported.file.close()
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"export_rows {exported.rows}")
    print(f"export_file_mb {size_mb:.1f}")
    print(f"export_100k_seconds {seconds * ROWS / max(exported.rows, 1):.1f}")
    print(f"export_peak_mb {peak_mb:.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=("small", "city"), default="small")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.size, args.database_url)
        return

    from gongzhi.registry.bench_support import set_up

    set_up(args.size, args.database_url)  # build once, in this process
    command = [sys.executable, __file__, "--measure", "--size", args.size]
    if args.database_url:
        command += ["--database-url", args.database_url]
    sys.stdout.write(subprocess.run(command, check=True, capture_output=True, text=True).stdout)


if __name__ == "__main__":
    main()
