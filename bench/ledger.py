"""Postings per second through gongzhi.core.ledger.post with concurrent writers, a check that none
was lost, and how fast a person's statement reads from a big ledger.

    .venv/bin/python bench/ledger.py --size small|city [--writers N] [--posts N] [--seconds S]

Each writer is a thread with its own database connection, posting transfers between two accounts
drawn at random from the residents' points accounts (200 small, 100,000 city) — lines in random
order, a fresh idempotency key each — through the whole service: the row locks in id order, the
overdraft check, the transaction, its entries, the balances and the audit row. A second phase sends
every posting through one account (`ledger_hot_account_posts_per_s`): the kind's source account,
as when every writer issues points at once, so they all queue on one row lock.

Prints:
- `ledger_posts_per_s` — transfers per second over the run (goal at city size on PostgreSQL with
  32 writers: ≥ 1,000);
- `ledger_hot_account_posts_per_s` — issuing from the one source account;
- `ledger_lost_updates` — postings acknowledged minus postings found, plus accounts whose balance
  is not what the acknowledged postings add up to (must be 0);
- `ledger_writers` — the writers used: 32 on PostgreSQL, 4 on SQLite, which runs one writing
  transaction at a time (the others wait at BEGIN IMMEDIATE);
- `statement_p95_ms` — one person's statement as the statement pages read it (the newest 50 lines
  with their transactions, and the line count for the pager; `gongzhi.core.ledger.entries_for`),
  95th percentile over 200 people drawn at random, with the ledger holding `statement_entries`
  lines (5,000,000 at city size, 50,000 small; goal < 20 ms at city size). The lines are written
  once, in bulk, as issues of 1.00 to people's accounts (each a balanced transaction with its
  running balance), and reused by later runs.

Database: SQLite under var/bench-<size>-ledger/, or — when DATABASE_URL names a PostgreSQL server —
a scratch database beside it named `<name>_bench_ledger_<size>` (never the named database itself).
Accounts are opened once and reused by later runs; each run's keys are its own.
"""

import argparse
import os
import random
import threading
import time
from decimal import Decimal

from _scratch import say, set_up_django

ACCOUNTS = {"small": 200, "city": 100_000}
DEFAULTS = {"small": {"posts": 2_000, "seconds": 15.0}, "city": {"posts": 30_000, "seconds": 60.0}}
STATEMENT_LINES = {"small": 50_000, "city": 5_000_000}
STATEMENT_OWNER = "bench.person"
LINES_PER_PERSON = 200
KIND = "points"
OWNER = "bench.resident"
OPENING = Decimal("1000000.00")  # each account's first balance: no transfer is refused for want


def ensure_accounts(size: str) -> list[int]:
    """The residents' accounts (opened and funded from the source once), by id."""
    from django.core.management import call_command

    from gongzhi.core import ledger
    from gongzhi.core.models import LedgerAccount

    call_command("migrate", interactive=False, verbosity=0)
    n = ACCOUNTS[size]
    source = ledger.source_account(KIND)
    have = set(LedgerAccount.objects.filter(kind=KIND, owner_type=OWNER).values_list("owner_id", flat=True))
    missing = [i for i in range(n) if i not in have]
    if missing:
        say(f"opening and funding {len(missing):,} accounts …")
        LedgerAccount.objects.bulk_create(
            [LedgerAccount(kind=KIND, owner_type=OWNER, owner_id=i) for i in missing], batch_size=5000,
            ignore_conflicts=True)
        new = list(LedgerAccount.objects.filter(kind=KIND, owner_type=OWNER, owner_id__in=missing)
                   .order_by("pk"))
        for start in range(0, len(new), 1000):
            chunk = new[start:start + 1000]
            ledger.post(actor=None, key=f"bench-opening-{chunk[0].pk}-{chunk[-1].pk}", memo_code="bench.opening",
                        lines=[(source, -OPENING * len(chunk))] + [(a, OPENING) for a in chunk],
                        allow_negative={source})
    return list(LedgerAccount.objects.filter(kind=KIND, owner_type=OWNER).order_by("pk").values_list("pk", flat=True))


class Run:
    """`writers` threads posting until `posts` were acknowledged or `seconds` passed."""

    def __init__(self, name: str, writers: int, posts: int, seconds: float, lines_for):
        self.name, self.writers, self.posts, self.seconds = name, writers, posts, seconds
        self.lines_for = lines_for
        self.lock = threading.Lock()
        self.started = 0
        self.acked: list[dict[int, Decimal]] = []  # each writer's net per account
        self.done = [0] * writers
        self.errors: dict[str, int] = {}

    def _take(self) -> bool:
        with self.lock:
            if self.started >= self.posts or time.monotonic() > self.deadline:
                return False
            self.started += 1
            return True

    def _writer(self, n: int, prefix: str) -> None:
        from django.db import connection

        from gongzhi.core import ledger
        from gongzhi.core.models import LedgerAccount

        rng = random.Random(f"{prefix}-{n}")
        net: dict[int, Decimal] = {}
        self.acked[n] = net
        try:
            i = 0
            while self._take():
                i += 1
                pairs = self.lines_for(rng)
                lines = [(LedgerAccount(pk=pk, kind=KIND), amount) for pk, amount in pairs]
                try:
                    ledger.post(actor=None, key=f"{prefix}-{n}-{i}", lines=lines, memo_code="bench.transfer",
                                allow_negative=self.allow)
                except Exception as exc:  # counted and shown; the lost-update check still runs
                    with self.lock:
                        self.errors[type(exc).__name__] = self.errors.get(type(exc).__name__, 0) + 1
                    continue
                for pk, amount in pairs:
                    net[pk] = net.get(pk, Decimal(0)) + amount
                self.done[n] += 1
        finally:
            connection.close()

    def run(self, prefix: str, allow=frozenset()) -> dict:
        self.allow = allow
        self.acked = [{} for _ in range(self.writers)]
        self.deadline = time.monotonic() + self.seconds
        threads = [threading.Thread(target=self._writer, args=(n, prefix)) for n in range(self.writers)]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
        done = sum(self.done)
        net: dict[int, Decimal] = {}
        for part in self.acked:
            for pk, amount in part.items():
                net[pk] = net.get(pk, Decimal(0)) + amount
        return {"done": done, "seconds": elapsed, "per_s": done / elapsed, "net": net, "errors": self.errors}


def lost_updates(prefix: str, result: dict, before: dict[int, Decimal]) -> int:
    """Acknowledged postings missing from the database, plus accounts whose balance is not what
    the acknowledged postings make it."""
    from gongzhi.core.models import LedgerAccount, LedgerTransaction

    found = LedgerTransaction.objects.filter(idempotency_key__startswith=f"{prefix}-").count()
    balances = dict(LedgerAccount.objects.filter(pk__in=result["net"]).values_list("pk", "balance"))
    wrong = sum(1 for pk, amount in result["net"].items() if balances[pk] != before[pk] + amount)
    say(f"{prefix}: acknowledged {result['done']:,}, found {found:,}, accounts off {wrong}")
    return (result["done"] - found) + wrong


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=list(ACCOUNTS), default="small")
    parser.add_argument("--writers", type=int, help="default: 32 on PostgreSQL, 4 on SQLite")
    parser.add_argument("--posts", type=int, help="per phase (default: 2,000 small, 30,000 city)")
    parser.add_argument("--seconds", type=float, help="per phase at most (default: 15 small, 60 city)")
    args = parser.parse_args()

    set_up_django("ledger", args.size)
    from django.db import connection, connections

    from gongzhi.core import ledger
    from gongzhi.core.models import LedgerAccount

    ids = ensure_accounts(args.size)
    postgres = connection.vendor == "postgresql"
    writers = args.writers or (32 if postgres else 4)
    posts = args.posts or DEFAULTS[args.size]["posts"]
    seconds = args.seconds or DEFAULTS[args.size]["seconds"]
    source = ledger.source_account(KIND)
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE core_ledgeraccount, core_ledgertransaction, core_ledgerentry")
    before = dict(LedgerAccount.objects.values_list("pk", "balance"))
    connections.close_all()

    def transfer(rng):
        frm, to = rng.sample(ids, 2)
        amount = Decimal(rng.randint(1, 500))
        pairs = [(frm, -amount), (to, amount)]
        rng.shuffle(pairs)
        return pairs

    def issue(rng):
        amount = Decimal(rng.randint(1, 50))
        return [(source.pk, -amount), (rng.choice(ids), amount)]

    prefix = f"bench-{int(time.time())}-{os.getpid()}"
    def settle(result: dict) -> None:
        for pk, amount in result["net"].items():
            before[pk] += amount

    settle(Run("warm", writers, writers * 5, 30, transfer).run(f"{prefix}-w"))
    main_run = Run("transfers", writers, posts, seconds, transfer).run(f"{prefix}-t")
    lost = lost_updates(f"{prefix}-t", main_run, before)
    settle(main_run)
    hot_run = Run("hot", writers, max(writers, posts // 4), seconds / 4, issue).run(
        f"{prefix}-h", allow=frozenset({source.pk}))
    lost += lost_updates(f"{prefix}-h", hot_run, before)
    verified = ledger.verify_all()
    say(f"{connection.vendor}, {len(ids):,} accounts, {writers} writers; transfers: {main_run['done']:,} in "
        f"{main_run['seconds']:.1f} s, errors {main_run['errors']}; one hot account: {hot_run['done']:,} in "
        f"{hot_run['seconds']:.1f} s, errors {hot_run['errors']}; verify_all {verified} "
        f"(load average {os.getloadavg()[0]:.2f})")
    print(f"ledger_posts_per_s {main_run['per_s']:.1f}")
    print(f"ledger_hot_account_posts_per_s {hot_run['per_s']:.1f}")
    print(f"ledger_lost_updates {lost + (0 if verified else 1)}")
    print(f"ledger_writers {writers}")
    lines, p95 = statement_figures(args.size)
    print(f"statement_entries {lines}")
    print(f"statement_p95_ms {p95:.2f}")


def ensure_statement_lines(size: str) -> list[int]:
    """People's accounts holding STATEMENT_LINES[size] lines in all (with the source's side), by id."""
    from django.db import connection, transaction

    from gongzhi.core import ledger
    from gongzhi.core.models import LedgerAccount, LedgerEntry, LedgerTransaction

    total = STATEMENT_LINES[size]
    people = max(1, total // (2 * LINES_PER_PERSON))
    source = ledger.source_account("bench_statement")
    have = LedgerEntry.objects.filter(account=source).count()
    wanted = total // 2
    if have < wanted:
        say(f"writing {2 * (wanted - have):,} statement lines in bulk …")
        LedgerAccount.objects.bulk_create(
            [LedgerAccount(kind="bench_statement", owner_type=STATEMENT_OWNER, owner_id=i) for i in range(people)],
            batch_size=5000, ignore_conflicts=True)
        accounts = list(LedgerAccount.objects.filter(kind="bench_statement", owner_type=STATEMENT_OWNER)
                        .order_by("pk").values_list("pk", "balance"))
        balances = dict(accounts)
        ids = [pk for pk, _ in accounts]
        source_balance = LedgerAccount.objects.get(pk=source.pk).balance
        rng = random.Random(have)
        one, batch = Decimal("1.00"), 20_000
        for start in range(have, wanted, batch):
            n = min(batch, wanted - start)
            with transaction.atomic():
                txns = LedgerTransaction.objects.bulk_create([
                    LedgerTransaction(idempotency_key=f"bench-statement-{start + i}", kind="bench_statement",
                                      memo_code="bench.issue") for i in range(n)])
                entries = []
                for txn in txns:
                    person = rng.choice(ids)
                    balances[person] += one
                    source_balance -= one
                    entries += [LedgerEntry(transaction_id=txn.pk, account_id=source.pk, amount=-one,
                                            balance_after=source_balance),
                                LedgerEntry(transaction_id=txn.pk, account_id=person, amount=one,
                                            balance_after=balances[person])]
                LedgerEntry.objects.bulk_create(entries, batch_size=5000)
            say(f"  {2 * (start + n):,} lines")
        with transaction.atomic():
            LedgerAccount.objects.filter(pk=source.pk).update(balance=source_balance)
            for pk, bal in balances.items():
                LedgerAccount.objects.filter(pk=pk).update(balance=bal)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE core_ledgeraccount, core_ledgertransaction, core_ledgerentry")
        else:
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
    return list(LedgerAccount.objects.filter(kind="bench_statement", owner_type=STATEMENT_OWNER)
                .values_list("pk", flat=True))


def statement_figures(size: str) -> tuple[int, float]:
    from gongzhi.core import ledger
    from gongzhi.core.models import LedgerAccount, LedgerEntry

    ids = ensure_statement_lines(size)
    lines = LedgerEntry.objects.count()
    rng = random.Random(7)
    timings = []
    for pk in [rng.choice(ids) for _ in range(220)]:
        account = LedgerAccount(pk=pk)
        started = time.perf_counter()
        entries = ledger.entries_for(account)
        page = list(entries[:50])
        count = entries.count()
        timings.append((time.perf_counter() - started) * 1000)
        assert page and count >= len(page)
    timings = sorted(timings[20:])  # the first reads warm the connection and the caches
    return lines, timings[int(len(timings) * 0.95) - 1]


if __name__ == "__main__":
    main()
