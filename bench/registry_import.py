"""Rows per second importing a residents spreadsheet, as a street officer, all or nothing.

    .venv/bin/python bench/registry_import.py --size small|city [--rows N] [--database-url URL]

Prints `import_rows_per_s N` (goal: 5,000 or more) for a 100,000-row file at city size (5,000 rows
at small). The file is made first (not timed): valid, distinct, fictitious people (area code 429998)
living in the officer's street's buildings, three to a new room (a new household), with tags and
residence permits. The timed part is everything an upload does once the file is on the server:
reading, checking every row (ID checksums, dates, phones, addresses in scope, duplicates in the file
and against the registry), sealing the numbers and writing residents, households, history and tags.
The import runs inside a transaction that is then rolled back (after the foreign-key checks a commit
would run, on PostgreSQL), so the benchmark can be run again; on PostgreSQL the tables it writes are
vacuumed first (not timed), so the rows earlier runs rolled back do not weigh on this one.
"""

import argparse
import datetime as dt
import io
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PERSONA = "street_officer_a"
AREA_CODE = "429998"


def make_file(user, rows: int) -> bytes:
    from openpyxl import Workbook

    from gongzhi.registry import permissions, selectors
    from gongzhi.registry.permissions import RegistryAction
    from gongzhi.registry.spreadsheets.columns import RESIDENTS
    from gongzhi.registry.validation import id_check_character

    rng = random.Random(3)
    addresses = list(permissions.restrict(selectors.buildings_for(user), user, RegistryAction.IMPORT)
                     .values_list("address", flat=True))
    family = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
    given = "伟强磊军勇杰涛明超芳娜敏静丽艳娟霞秀燕玲"
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("居民")
    sheet.append([c.zh for c in RESIDENTS])
    start = dt.date(1940, 1, 1)
    for i in range(rows):
        birth = start + dt.timedelta(days=i % 29000)
        male = rng.random() < 0.5
        first17 = f"{AREA_CODE}{birth:%Y%m%d}{(i // 29000) * 2 + male:03d}"
        floating = rng.random() < 0.15
        tags = "、".join([t for t, p in (("党员", 0.08), ("流动人口", 1.0 if floating else 0)) if rng.random() < p])
        permit = (dt.date(2025, 1, 1), dt.date(2027, 1, 1)) if floating else (None, None)
        sheet.append([
            rng.choice(family) + rng.choice(given) + rng.choice(given), "男" if male else "女", birth,
            first17 + id_check_character(first17), f"139{rng.randrange(10**8):08d}",
            addresses[(i // 3) % len(addresses)], f"B{i // 3}", "自住", "户主" if i % 3 == 0 else "子女",
            "人在户不在" if floating else "人户一致",
            "湖北省孝感市孝南区", tags, permit[0], permit[1], "",
        ])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def backend_cpu_seconds() -> float | None:
    """CPU seconds used so far by this connection's PostgreSQL backend, when it runs on this machine."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def vacuum() -> None:
    """PostgreSQL: reclaim what earlier runs rolled back. Each run leaves its rows behind as dead tuples
    (in the tables and every index) until a vacuum; without one, say on a server run without
    autovacuum, each run would insert into larger, emptier indexes than the last and measure that."""
    from django.db import connection

    from gongzhi.registry.models import Household, Resident, ResidentEvent, ResidentTag

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in (Household, Resident, ResidentEvent, ResidentTag):
            cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(model._meta.db_table)}")


def measure(rows: int) -> None:
    from django.db import connection, transaction

    from gongzhi.accounts.models import User
    from gongzhi.registry.spreadsheets.importing import import_spreadsheet

    user = User.objects.get(username=PERSONA)
    content = make_file(user, rows)
    vacuum()
    with transaction.atomic():
        backend = backend_cpu_seconds()
        cpu = time.process_time()
        started = time.perf_counter()
        result = import_spreadsheet(actor=user, entity="residents", source=content, mode="all_or_nothing")
        if connection.vendor == "postgresql":
            # The foreign-key checks a commit would run (deferred until then), counted in.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu
        backend = backend_cpu_seconds() - backend if backend is not None else None
        transaction.set_rollback(True)
    assert result.created == rows, [p.as_dict() for p in result.problems[:5]]
    print(f"import_rows {rows}")
    print(f"import_households_created {result.households_created}")
    print(f"import_seconds {seconds:.1f}")
    # Where the time went: on a busy machine the wall-clock figure says more about the neighbours.
    print(f"import_client_cpu_seconds {cpu:.1f}")
    if backend is not None:
        print(f"import_database_cpu_seconds {backend:.1f}")
    print(f"import_rows_per_s {rows / seconds:.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=("small", "city"), default="small")
    parser.add_argument("--rows", type=int, default=None)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    from gongzhi.registry.bench_support import set_up

    set_up(args.size, args.database_url)
    measure(args.rows or (100_000 if args.size == "city" else 5_000))


if __name__ == "__main__":
    main()
