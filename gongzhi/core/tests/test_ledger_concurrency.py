"""The ledger under contention: 32 writers, each on its own database connection, posting transfers
among a few shared accounts in every order. No update may be lost, no posting may deadlock, and a
key raced by every writer is posted once."""

import random
import threading
from decimal import Decimal

import pytest
from django.db import connection

from gongzhi.core import ledger
from gongzhi.core.models import LedgerAccount, LedgerEntry, LedgerTransaction

WRITERS = 32
TRANSFERS = 25  # per writer
ACCOUNTS = 4
FUNDING = Decimal(WRITERS * TRANSFERS * 10)  # more than any account can lose: no posting is refused

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="row locks and concurrent writers need PostgreSQL; SQLite runs one writer at a time"),
]


def test_concurrent_transfers_lose_nothing_and_never_deadlock():
    source = ledger.source_account("hours")
    accounts = [ledger.open_account(kind="hours", owner_type="accounts.user", owner_id=i)
                for i in range(1, ACCOUNTS + 1)]
    ledger.post(actor=None, key="funding", memo_code="hours.opening",
                lines=[(source, -FUNDING * ACCOUNTS)] + [(a, FUNDING) for a in accounts],
                allow_negative={source})
    ids = [a.pk for a in accounts]
    nets = [dict.fromkeys(ids, Decimal(0)) for _ in range(WRITERS)]
    errors: list[BaseException] = []
    shared_answers: list[int] = []
    start = threading.Barrier(WRITERS)

    def writer(n: int) -> None:
        rng = random.Random(n)
        try:
            # Fresh objects per thread: nothing read before the lock is trusted.
            mine = {a.pk: a for a in LedgerAccount.objects.filter(pk__in=ids)}
            start.wait()
            for i in range(TRANSFERS):
                frm, to = rng.sample(ids, 2)
                amount = Decimal(rng.randint(1, 999)) / 100
                lines = [(mine[frm], -amount), (mine[to], amount)]
                rng.shuffle(lines)  # callers list lines in any order; the locks are taken by id
                ledger.post(actor=None, key=f"w{n}-{i}", lines=lines, memo_code="hours.transfer")
                nets[n][frm] -= amount
                nets[n][to] += amount
                if i == TRANSFERS // 2:
                    # Every writer sends the same request: one posting, the same answer for all.
                    txn = ledger.post(actor=None, key="everyone", memo_code="hours.transfer",
                                      lines=[(mine[ids[0]], Decimal("1.00")), (mine[ids[1]], Decimal("-1.00"))])
                    shared_answers.append(txn.pk)
        except BaseException as exc:  # reported by the test below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not any(t.is_alive() for t in threads)
    assert errors == []

    expected = {pk: FUNDING + sum(net[pk] for net in nets) for pk in ids}
    expected[ids[0]] += Decimal("1.00")
    expected[ids[1]] -= Decimal("1.00")
    assert dict(LedgerAccount.objects.filter(pk__in=ids).values_list("pk", "balance")) == expected
    assert ledger.balance(source) == -FUNDING * ACCOUNTS
    assert ledger.verify_all()
    assert len(set(shared_answers)) == 1 and len(shared_answers) == WRITERS
    assert LedgerTransaction.objects.count() == 1 + WRITERS * TRANSFERS + 1
    assert LedgerEntry.objects.count() == (ACCOUNTS + 1) + 2 * (WRITERS * TRANSFERS + 1)
    # Each account's entries chain: every balance_after is the one before plus the amount.
    for pk in ids:
        running = Decimal(0)
        for amount, after in LedgerEntry.objects.filter(account_id=pk).order_by("id").values_list(
                "amount", "balance_after"):
            running += amount
            assert after == running
