"""The ledger: double entries, idempotent postings, reversals, append-only rows, and a property test
over random sequences of postings and reversals."""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongzhi.accounts.models import User
from gongzhi.core import ledger
from gongzhi.core.errors import DomainError
from gongzhi.core.models import AuditEntry, LedgerAccount, LedgerEntry, LedgerTransaction

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def secretary():
    return User.objects.create(username="ledger_secretary", display_name="书记")


@pytest.fixture
def points():
    """The points source and two residents' points accounts."""
    return (
        ledger.source_account("points"),
        ledger.open_account(kind="points", owner_type="accounts.user", owner_id=1),
        ledger.open_account(kind="points", owner_type="accounts.user", owner_id=2),
    )


def issue(actor, source, account, amount, key):
    return ledger.post(actor=actor, key=key, lines=[(source, -D(amount)), (account, D(amount))],
                       memo_code="points.issue", memo_params={"rule": "visit"}, allow_negative={source})


def state():
    """Everything a refused posting must leave as it was."""
    return (
        sorted(LedgerAccount.objects.values_list("pk", "balance")),
        LedgerTransaction.objects.count(),
        LedgerEntry.objects.count(),
        AuditEntry.objects.filter(action__startswith="ledger.").count(),
    )


# --- accounts --------------------------------------------------------------------------------------


def test_open_account_gets_or_creates_one_account():
    a = ledger.open_account(kind="hours", owner_type="accounts.user", owner_id=7)
    b = ledger.open_account(kind="hours", owner_type="accounts.user", owner_id=7)
    c = ledger.open_account(kind="hours", owner_type="accounts.user", owner_id=7, name="pledged")
    assert a.pk == b.pk != c.pk
    assert (a.balance, a.is_closed) == (0, False)
    assert ledger.source_account("hours").owner_type == "core.system"


# --- posting ---------------------------------------------------------------------------------------


def test_a_posting_moves_balances_and_each_equals_the_sum_of_its_entries(secretary, points):
    source, alice, bob = points
    issue(secretary, source, alice, "10.50", "k1")
    txn = ledger.post(actor=secretary, key="k2", lines=[(alice, D("-4.25")), (bob, D("4.25"))],
                      memo_code="points.transfer")
    assert (ledger.balance(source), ledger.balance(alice), ledger.balance(bob)) == (D("-10.50"), D("6.25"), D("4.25"))
    assert alice.balance == D("6.25")  # the caller's objects follow
    assert txn.kind == "points" and txn.actor == secretary
    assert [(e.amount, e.balance_after) for e in ledger.entries_for(alice)] == [
        (D("-4.25"), D("6.25")), (D("10.50"), D("10.50"))]
    assert all(ledger.verify(a) for a in points)
    assert ledger.verify_all()
    stored = LedgerTransaction.objects.get(pk=txn.pk)
    assert (stored.memo_code, stored.idempotency_key, stored.reverses) == ("points.transfer", "k2", None)


def test_a_posting_writes_an_audit_row_with_balances_before_and_after(secretary, points):
    source, alice, _bob = points
    txn = issue(secretary, source, alice, "3", "k1")
    row = AuditEntry.objects.get(action="ledger.post")
    assert row.actor == secretary
    assert (row.object_type, row.object_id) == ("core.ledgertransaction", str(txn.pk))
    assert row.before["balances"] == {str(source.pk): "0.00", str(alice.pk): "0.00"}
    assert row.after["balances"] == {str(source.pk): "-3.00", str(alice.pk): "3.00"}


def test_a_system_posting_names_the_system(points):
    source, alice, _bob = points
    txn = issue(None, source, alice, "1", "k-system")
    assert txn.actor is None
    assert AuditEntry.objects.get(action="ledger.post").who == "system"


@pytest.mark.parametrize(("lines", "message"), [
    (lambda s, a, b, h: [(a, D("-5")), (b, D("4"))], "sum to zero"),
    (lambda s, a, b, h: [(a, D("-1")), (h, D("1"))], "one kind"),
    (lambda s, a, b, h: [(a, D("-6")), (b, D("6"))], "too low"),
    (lambda s, a, b, h: [(a, D("-1"))], "at least two lines"),
    (lambda s, a, b, h: [(a, D("-0.001")), (b, D("0.001"))], "two decimal places"),
    (lambda s, a, b, h: [(a, -1.5), (b, 1.5)], "decimal numbers"),
    (lambda s, a, b, h: [(a, D("0")), (b, D("0"))], "cannot be zero"),
    (lambda s, a, b, h: [(a, D("-1")), (a, D("1"))], "only once"),
    (lambda s, a, b, h: [(s, D("-1e16")), (b, D("1e16"))], "too large"),
])
def test_a_refused_posting_changes_nothing(secretary, points, lines, message):
    source, alice, bob = points
    hours = ledger.open_account(kind="hours", owner_type="accounts.user", owner_id=1)
    issue(secretary, source, alice, "5", "k1")
    before = state()
    with pytest.raises(DomainError, match=message):
        ledger.post(actor=secretary, key="k-refused", lines=lines(source, alice, bob, hours),
                    memo_code="points.transfer", allow_negative={source})
    assert state() == before
    assert not LedgerTransaction.objects.filter(idempotency_key="k-refused").exists()


def test_only_the_accounts_named_may_go_below_zero(secretary, points):
    source, alice, _bob = points
    with pytest.raises(DomainError, match="too low"):
        ledger.post(actor=secretary, key="k1", lines=[(source, D("-1")), (alice, D("1"))], memo_code="points.issue")
    ledger.post(actor=secretary, key="k1", lines=[(source, D("-1")), (alice, D("1"))], memo_code="points.issue",
                allow_negative={source.pk})
    assert ledger.balance(source) == D("-1")


def test_a_closed_account_takes_no_postings(secretary, points):
    source, alice, bob = points
    ledger.close_account(actor=secretary, account=bob, reason="moved away")
    before = state()
    with pytest.raises(DomainError, match="closed"):
        issue(secretary, source, bob, "1", "k1")
    assert state() == before
    issue(secretary, source, alice, "1", "k2")
    with pytest.raises(DomainError, match="zero balance"):
        ledger.close_account(actor=secretary, account=alice, reason="moved away")
    assert not LedgerAccount.objects.get(pk=alice.pk).is_closed


# --- idempotency -----------------------------------------------------------------------------------


def test_the_same_key_returns_the_first_transaction_and_posts_nothing(secretary, points):
    source, alice, _bob = points
    first = issue(secretary, source, alice, "2", "visit-2026-11-22-42")
    before = state()
    again = issue(secretary, source, alice, "2", "visit-2026-11-22-42")
    assert again.pk == first.pk
    assert state() == before
    assert ledger.balance(alice) == D("2")


def test_a_replay_is_answered_even_when_the_balance_moved_on(secretary, points):
    source, alice, bob = points
    issue(secretary, source, alice, "5", "k1")
    spend = ledger.post(actor=secretary, key="spend", lines=[(alice, D("-5")), (bob, D("5"))],
                        memo_code="points.transfer")
    # Alice has nothing left; the same request retried is still the transaction already written.
    again = ledger.post(actor=secretary, key="spend", lines=[(alice, D("-5")), (bob, D("5"))],
                        memo_code="points.transfer")
    assert again.pk == spend.pk
    assert (ledger.balance(alice), ledger.balance(bob)) == (0, D("5"))


def test_a_key_reused_with_other_lines_is_refused(secretary, points):
    source, alice, bob = points
    issue(secretary, source, alice, "2", "k1")
    before = state()
    with pytest.raises(DomainError, match="already used"):
        issue(secretary, source, alice, "3", "k1")
    with pytest.raises(DomainError, match="already used"):
        issue(secretary, source, bob, "2", "k1")
    assert state() == before


# --- reversal --------------------------------------------------------------------------------------


def test_a_reversal_posts_the_opposite_lines_and_leaves_the_original_as_it_was(secretary, points):
    source, alice, bob = points
    issue(secretary, source, alice, "8", "k1")
    transfer = ledger.post(actor=secretary, key="k2", lines=[(alice, D("-3")), (bob, D("3"))],
                           memo_code="points.transfer")
    original_rows = sorted(LedgerEntry.objects.filter(transaction=transfer).values_list("account_id", "amount",
                                                                                           "balance_after"))
    undo = ledger.reverse(actor=secretary, transaction_or_id=transfer, reason="wrong resident", key="k2-undo")
    assert undo.reverses_id == transfer.pk
    assert undo.memo_code == ledger.REVERSAL_MEMO and undo.memo_params["transaction"] == transfer.pk
    assert sorted(LedgerEntry.objects.filter(transaction=undo).values_list("account_id", "amount")) == [
        (alice.pk, D("3")), (bob.pk, D("-3"))]
    assert sorted(LedgerEntry.objects.filter(transaction=transfer).values_list(
        "account_id", "amount", "balance_after")) == original_rows
    assert (ledger.balance(alice), ledger.balance(bob)) == (D("8"), 0)
    assert LedgerTransaction.objects.get(pk=transfer.pk).reversed_by.pk == undo.pk
    row = AuditEntry.objects.get(action="ledger.reverse")
    assert row.reason == "wrong resident"
    assert row.after["balances"][str(bob.pk)] == "0.00"
    assert ledger.verify_all()


def test_a_transaction_is_reversed_at_most_once_and_a_reversal_never(secretary, points):
    source, alice, _bob = points
    txn = issue(secretary, source, alice, "4", "k1")
    undo = ledger.reverse(actor=secretary, transaction_or_id=txn.pk, reason="duplicate visit", key="undo-1")
    before = state()
    # The same request again is the same reversal …
    assert ledger.reverse(actor=secretary, transaction_or_id=txn, reason="duplicate visit", key="undo-1").pk == undo.pk
    # … another one is refused, and so is undoing the undo.
    with pytest.raises(DomainError, match="already been reversed"):
        ledger.reverse(actor=secretary, transaction_or_id=txn, reason="again", key="undo-2")
    with pytest.raises(DomainError, match="cannot be reversed"):
        ledger.reverse(actor=secretary, transaction_or_id=undo, reason="undo the undo", key="undo-3")
    with pytest.raises(DomainError, match="reason"):
        ledger.reverse(actor=secretary, transaction_or_id=txn, reason="  ", key="undo-4")
    with pytest.raises(DomainError, match="already used"):
        ledger.reverse(actor=secretary, transaction_or_id=undo, reason="x", key="k1")
    with pytest.raises(DomainError, match="no such"):
        ledger.reverse(actor=secretary, transaction_or_id=10**9, reason="x", key="undo-5")
    assert state() == before


def test_a_reversal_that_would_overdraw_is_refused(secretary, points):
    source, alice, bob = points
    issue(secretary, source, alice, "5", "k1")
    transfer = ledger.post(actor=secretary, key="k2", lines=[(alice, D("-5")), (bob, D("5"))],
                           memo_code="points.transfer")
    ledger.post(actor=secretary, key="k3", lines=[(bob, D("-5")), (source, D("5"))], memo_code="points.redeem")
    before = state()
    with pytest.raises(DomainError, match="too low"):
        ledger.reverse(actor=secretary, transaction_or_id=transfer, reason="wrong resident", key="undo")
    assert state() == before


# --- append-only -----------------------------------------------------------------------------------


def test_transactions_and_entries_cannot_be_changed_or_deleted(secretary, points):
    source, alice, _bob = points
    txn = issue(secretary, source, alice, "1", "k1")
    stored = LedgerTransaction.objects.get(pk=txn.pk)
    entry = stored.entries.get(account=alice)
    for row in (stored, entry):
        with pytest.raises(PermissionError):
            row.save()
        with pytest.raises(PermissionError):
            row.delete()
    for qs in (LedgerTransaction.objects.filter(pk=txn.pk), LedgerEntry.objects.filter(pk=entry.pk)):
        with pytest.raises(PermissionError):
            qs.update(reason="tampered") if qs.model is LedgerTransaction else qs.update(amount=D("100"))
        with pytest.raises(PermissionError):
            qs.delete()
    with pytest.raises(PermissionError):
        alice.delete()
    assert LedgerEntry.objects.get(pk=entry.pk).amount == D("1")
    assert LedgerTransaction.objects.get(pk=txn.pk).reason == ""
    assert ledger.verify_all()


def test_verify_notices_a_balance_changed_behind_the_ledger(secretary, points):
    source, alice, _bob = points
    issue(secretary, source, alice, "1", "k1")
    LedgerAccount.objects.filter(pk=alice.pk).update(balance=D("2"))
    assert not ledger.verify(alice)
    assert ledger.verify(source)
    assert not ledger.verify_all()


# --- property: any sequence of postings and reversals keeps the books ------------------------------

ACCOUNTS = 4  # the source and three residents
step = st.one_of(
    st.tuples(st.just("post"), st.integers(0, ACCOUNTS - 1), st.integers(0, ACCOUNTS - 1),
              st.decimals(min_value=D("0.01"), max_value=D("50"), places=2)),
    st.tuples(st.just("reverse"), st.integers(0, 30)),
    st.tuples(st.just("replay"), st.integers(0, 30)),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(step, min_size=1, max_size=25))
def test_any_sequence_keeps_every_balance_equal_to_its_entries_and_to_a_model(steps):
    from django.db import transaction

    sid = transaction.savepoint()  # each example starts from an empty ledger
    try:
        kind = "points"
        accounts = [ledger.source_account(kind)] + [
            ledger.open_account(kind=kind, owner_type="accounts.user", owner_id=i) for i in range(1, ACCOUNTS)]
        source = accounts[0]
        model = {a.pk: D(0) for a in accounts}
        posted: list[tuple[LedgerTransaction, dict[int, Decimal], str]] = []  # with lines and key
        reversed_ids: set[int] = set()
        for n, s in enumerate(steps):
            if s[0] == "post":
                _, frm, to, amount = s
                a, b = accounts[frm], accounts[to]
                key = f"p{n}"
                if a.pk == b.pk:
                    with pytest.raises(DomainError):
                        ledger.post(actor=None, key=key, lines=[(a, -amount), (b, amount)], memo_code="t")
                elif a is not source and model[a.pk] - amount < 0:
                    with pytest.raises(DomainError, match="too low"):
                        ledger.post(actor=None, key=key, lines=[(a, -amount), (b, amount)], memo_code="t",
                                    allow_negative={source})
                else:
                    txn = ledger.post(actor=None, key=key, lines=[(a, -amount), (b, amount)], memo_code="t",
                                      allow_negative={source})
                    model[a.pk] -= amount
                    model[b.pk] += amount
                    posted.append((txn, {a.pk: -amount, b.pk: amount}, key))
            elif s[0] == "reverse" and posted:
                _, i = s
                txn, lines, _key = posted[i % len(posted)]
                would_overdraw = any(model[pk] - amt < 0 and pk != source.pk
                                     for pk, amt in lines.items() if amt > 0)
                if txn.reverses_id is not None or txn.pk in reversed_ids or would_overdraw:
                    with pytest.raises(DomainError):
                        ledger.reverse(actor=None, transaction_or_id=txn, reason="r", key=f"r{n}",
                                       allow_negative={source})
                else:
                    undo = ledger.reverse(actor=None, transaction_or_id=txn, reason="r", key=f"r{n}",
                                          allow_negative={source})
                    reversed_ids.add(txn.pk)
                    for pk, amt in lines.items():
                        model[pk] -= amt
                    posted.append((undo, {pk: -amt for pk, amt in lines.items()}, f"r{n}"))
            elif s[0] == "replay" and posted:
                txn, lines, key = posted[s[1] % len(posted)]
                if txn.reverses_id is None:
                    by_pk = {a.pk: a for a in accounts}
                    again = ledger.post(actor=None, key=key, lines=[(by_pk[pk], amt) for pk, amt in lines.items()],
                                        memo_code="t", allow_negative={source})
                    assert again.pk == txn.pk
            balances = dict(LedgerAccount.objects.filter(pk__in=model).values_list("pk", "balance"))
            assert balances == model
            for a in accounts:
                assert ledger.verify(a)
                if a is not source:
                    assert balances[a.pk] >= 0
            assert sum(balances.values()) == 0
        assert ledger.verify_all()
        assert LedgerTransaction.objects.count() == len(posted)
    finally:
        transaction.savepoint_rollback(sid)
