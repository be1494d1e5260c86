"""The one ledger: points (积分), the love bank's volunteer hours (爱心银行) and community funds
(yuan) all post here, as double entries between accounts of one kind.

Why it is built this way:

- **Append-only.** Transactions and entries are never updated or deleted (the models and their
  querysets refuse); an account's balance is a cached sum of its entries, changed only by `post`
  in the same transaction that writes the entries, and `verify` / `verify_all` check the two still
  agree. What happened stays readable for an auditor and for the residents the figures are
  disclosed to (居务公开).
- **Reversal, not correction.** A wrong posting is undone by `reverse`: a new transaction with the
  opposite lines that names the one it reverses. The link is unique, so a transaction is reversed
  at most once, and a reversal is never itself reversed (post the correct lines instead).
- **Double entry.** A posting's lines sum to zero and share one kind: points never turn into yuan
  here. Issuing comes from the kind's source account (`source_account`), which alone runs below
  zero — a caller names it in `allow_negative`; every other account is refused an overdraft.
- **Fixed lock order.** `post` locks the accounts it touches with `select_for_update` in primary-key
  order before it reads their balances. Two postings over the same accounts then queue on the first
  lock they share instead of each holding one the other waits for: no lost update, no deadlock.
  `reverse` locks the reversed transaction first (postings never lock transactions), then posts.
- **Idempotent.** Every posting carries the caller's key (a task retried, a form sent twice): the
  same key returns the transaction already written and posts nothing; the same key with other lines
  is refused. The key is inserted with ON CONFLICT DO NOTHING, so even two racing callers neither
  post twice nor abort the caller's transaction.

Amounts are Decimals with two places (an hour is 1.00, a yuan 1.00, a point 1.00). Texts are codes
with parameters (`memo_code`, `memo_params`), never prose, so each reader sees their language.
"""

import json
from collections.abc import Iterable
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import Sum
from django.db.models.functions import Round
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit, db
from .errors import DomainError
from .models import LedgerAccount, LedgerEntry, LedgerTransaction

SYSTEM_OWNER = ("core.system", 0)
SOURCE_NAME = "issued"
REVERSAL_MEMO = "ledger.reversal"
CENT = Decimal("0.01")
# Balances and amounts are NUMERIC(18, 2): sixteen digits before the point.
LIMIT = Decimal("1e16")


# --- accounts ------------------------------------------------------------------------------------


def open_account(*, kind: str, owner_type: str, owner_id: int, name: str = "main") -> LedgerAccount:
    """The owner's account of this kind and name, opened on first use."""
    if not kind or not owner_type or not name:
        raise DomainError(_("A ledger account needs a kind, an owner and a name."))
    account, _created = LedgerAccount.objects.get_or_create(
        kind=kind, owner_type=owner_type, owner_id=owner_id, name=name
    )
    return account


def source_account(kind: str) -> LedgerAccount:
    """Where a kind's units are issued from (and go back to when redeemed): the system's account,
    the one account that may run below zero — its balance is minus everything in circulation."""
    return open_account(kind=kind, owner_type=SYSTEM_OWNER[0], owner_id=SYSTEM_OWNER[1], name=SOURCE_NAME)


@transaction.atomic
def close_account(*, actor, account: LedgerAccount, reason: str) -> LedgerAccount:
    """Close an empty account: it takes no more postings and stays readable."""
    if not reason.strip():
        raise DomainError(_("Give a reason for closing the account."))
    locked = LedgerAccount.objects.select_for_update().get(pk=account.pk)
    if locked.is_closed:
        raise DomainError(_("This ledger account is already closed."))
    if locked.balance != 0:
        raise DomainError(_("Only an account with a zero balance can be closed."))
    # Allowed: an account is the one ledger row that changes (its balance and this flag).
    LedgerAccount.objects.filter(pk=locked.pk).update(is_closed=True)
    locked.is_closed = True
    audit.record(actor=actor, action="ledger.close", obj=locked, before={"is_closed": False},
                 after={"is_closed": True}, reason=reason)
    account.is_closed = True
    return locked


# --- postings ------------------------------------------------------------------------------------


def post(*, actor, key: str, lines: list[tuple[LedgerAccount, Decimal]], memo_code: str,
         memo_params: dict | None = None, reason: str = "", allow_negative: Iterable = frozenset(),
         division=None) -> LedgerTransaction:
    """Post `lines` — (account, signed amount) pairs summing to zero, one kind — as one transaction
    under the caller's idempotency `key`. `allow_negative` names the accounts (or their ids) that
    may end below zero, such as the kind's source account. `division` scopes the audit row."""
    with transaction.atomic():
        return _post(actor=actor, key=key, lines=lines, memo_code=memo_code, memo_params=memo_params or {},
                     reason=reason, allow_negative=allow_negative, division=division, reverses=None)


def reverse(*, actor, transaction_or_id, reason: str, key: str, allow_negative: Iterable = frozenset(),
            division=None) -> LedgerTransaction:
    """Undo a posting with the opposite lines, linked to it. Idempotent by `key` like `post`."""
    if not (reason or "").strip():
        raise DomainError(_("Give a reason for the reversal."))
    original_id = getattr(transaction_or_id, "pk", transaction_or_id)
    with transaction.atomic():
        # Reversals of one transaction queue here; postings never lock transactions, so this lock
        # taken before the accounts' cannot close a cycle with them.
        original = LedgerTransaction.objects.select_for_update(no_key=True).filter(pk=original_id).first()
        if original is None:
            raise DomainError(_("There is no such ledger transaction."), code="not_found")
        replay = LedgerTransaction.objects.filter(idempotency_key=key).first()
        if replay is not None:
            if replay.reverses_id != original.pk:
                raise DomainError(_("This key was already used for a different posting."), code="conflict")
            return replay
        if original.reverses_id is not None:
            raise DomainError(_("A reversal cannot be reversed; post the correct lines instead."))
        if LedgerTransaction.objects.filter(reverses=original).exists():
            raise DomainError(_("This transaction has already been reversed."), code="conflict")
        lines = [(entry.account, -entry.amount)
                 for entry in original.entries.select_related("account").order_by("account_id")]
        return _post(actor=actor, key=key, lines=lines, memo_code=REVERSAL_MEMO,
                     memo_params={"transaction": original.pk, "memo_code": original.memo_code},
                     reason=reason, allow_negative=allow_negative, division=division, reverses=original)


def _post(*, actor, key, lines, memo_code, memo_params, reason, allow_negative, division, reverses):
    amounts = _checked_lines(key, lines, memo_code)
    may_go_negative = {getattr(a, "pk", a) for a in allow_negative}

    # The fixed order: by primary key, locked before any balance is read.
    accounts = _lock(sorted(amounts))
    if len(accounts) != len(amounts):
        raise DomainError(_("One of the ledger accounts does not exist."), code="not_found")
    kinds = {a.kind for a in accounts}
    if len(kinds) != 1:
        raise DomainError(_("All lines of a posting must be of one kind."))
    kind = kinds.pop()

    refusal = None
    for account in accounts:
        after = account.balance + amounts[account.pk]
        if account.is_closed:
            refusal = DomainError(_("The ledger account %(account)s is closed.") % {"account": account})
        elif after < 0 and amounts[account.pk] < 0 and account.pk not in may_go_negative:
            refusal = DomainError(_("The balance of %(account)s is too low for this posting.")
                                  % {"account": account}, code="insufficient")
        elif abs(after) >= LIMIT:
            refusal = DomainError(_("The balance of %(account)s would be too large.") % {"account": account})
        if refusal:
            break
    if refusal is not None:
        # A replay is answered even when the balances have moved on since the first posting.
        existing = LedgerTransaction.objects.filter(idempotency_key=key).first()
        if existing is not None:
            return _replayed(existing, amounts, reverses)
        raise refusal

    now = timezone.now()
    txn = LedgerTransaction(idempotency_key=key, kind=kind, memo_code=memo_code, memo_params=memo_params,
                            actor=_user(actor), at=now, reverses=reverses, reason=reason[:500])
    before, after = {}, {}
    for account in accounts:
        before[str(account.pk)] = account.balance
        account.balance += amounts[account.pk]
        after[str(account.pk)] = account.balance
    audit_row = audit.entry(actor=actor, action="ledger.reverse" if reverses else "ledger.post", obj=txn,
                            division=division, before={"balances": before},
                            after={"balances": after, "memo_code": memo_code, "key": key}, reason=reason)
    audit_row.at = now
    write = _write_postgresql if connection.vendor == "postgresql" else _write_orm
    txn.pk = write(txn, accounts, amounts, audit_row)
    if txn.pk is None:  # the key is taken: a replay, or a racing caller that won
        return _replayed(LedgerTransaction.objects.get(idempotency_key=key), amounts, reverses)
    txn._state.adding, txn._state.db = False, connection.alias
    # Callers' account objects show the new balances too.
    by_pk = {a.pk: a.balance for a in accounts}
    for account, _amount in lines:
        account.balance = by_pk[account.pk]
    return txn


def _lock(ids: list[int]) -> list[LedgerAccount]:
    """The accounts, locked in id order (FOR NO KEY UPDATE: the lock the balance's own UPDATE
    takes, which leaves foreign-key checks on the account unblocked)."""
    if connection.vendor != "postgresql":  # SQLite: the writing transaction holds the database
        return list(LedgerAccount.objects.filter(pk__in=ids).order_by("pk"))
    rows = db.fetch(_LOCK_SQL, [ids], many=True)
    accounts = []
    for pk, kind, owner_type, owner_id, name, bal, is_closed in rows:
        account = LedgerAccount(pk=pk, kind=kind, owner_type=owner_type, owner_id=owner_id, name=name,
                                balance=bal, is_closed=is_closed)
        account._state.adding, account._state.db = False, connection.alias
        accounts.append(account)
    return accounts


_LOCK_SQL = (
    "SELECT id, kind, owner_type, owner_id, name, balance, is_closed FROM core_ledgeraccount "
    "WHERE id = ANY(%s::bigint[]) ORDER BY id FOR NO KEY UPDATE"
)

# PostgreSQL: the transaction, its entries, the balances and the audit row in one statement,
# prepared once per connection (gongzhi.core.db) — one round trip while the rows are locked. A key
# already taken inserts no transaction, and so nothing else either.
_WRITE_SQL = (
    "WITH t AS (INSERT INTO core_ledgertransaction (idempotency_key, kind, memo_code, memo_params, actor_id, "
    "at, reverses_id, reason) VALUES (%s, %s, %s, %s::jsonb, %s::bigint, %s::timestamptz, %s::bigint, %s) "
    "ON CONFLICT (idempotency_key) DO NOTHING RETURNING id), "
    "l AS (SELECT * FROM unnest(%s::bigint[], %s::numeric[], %s::numeric[]) AS l (account_id, amount, after)), "
    "e AS (INSERT INTO core_ledgerentry (transaction_id, account_id, amount, balance_after) "
    "SELECT t.id, l.account_id, l.amount, l.after FROM t, l), "
    "u AS (UPDATE core_ledgeraccount AS a SET balance = l.after FROM t, l WHERE a.id = l.account_id), "
    "au AS (INSERT INTO core_auditentry (at, actor_id, actor_label, action, object_type, object_id, object_repr, "
    "division_id, before, after, reason) SELECT %s::timestamptz, %s::bigint, %s, %s, %s, t.id::text, "
    "left(%s::text || t.id::text, 200), %s::bigint, %s::jsonb, %s::jsonb, %s FROM t) "
    "SELECT id FROM t"
)


def _write_postgresql(txn, accounts, amounts, audit_row) -> int | None:
    ids = [a.pk for a in accounts]
    row = db.fetch(_WRITE_SQL, [
        txn.idempotency_key, txn.kind, txn.memo_code, _json(txn.memo_params), txn.actor_id, txn.at,
        txn.reverses_id, txn.reason,
        ids, [amounts[pk] for pk in ids], [a.balance for a in accounts],
        audit_row.at, audit_row.actor_id, audit_row.actor_label, audit_row.action, audit_row.object_type,
        f"{txn.kind} {txn.memo_code} #", audit_row.division_id, _json(audit_row.before), _json(audit_row.after),
        audit_row.reason,
    ])
    return row[0] if row else None


def _write_orm(txn, accounts, amounts, audit_row) -> int | None:
    txn_id = _insert_transaction(txn)
    if txn_id is None:
        return None
    txn.pk = txn_id
    LedgerEntry.objects.bulk_create([
        LedgerEntry(transaction_id=txn_id, account_id=a.pk, amount=amounts[a.pk], balance_after=a.balance)
        for a in accounts])
    # Under the lock taken above no one else changes these rows: the new balances are exact.
    LedgerAccount.objects.bulk_update(accounts, ["balance"])
    audit_row.object_id, audit_row.object_repr = str(txn_id), str(txn)[:200]
    audit_row.save(force_insert=True)
    return txn_id


def _json(value) -> str:
    return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)


def _checked_lines(key, lines, memo_code) -> dict[int, Decimal]:
    """account id → amount, once every line is well formed and the lines balance."""
    if not key or len(key) > 100:
        raise DomainError(_("A posting needs an idempotency key of at most 100 characters."))
    if not memo_code or len(memo_code) > 64:
        raise DomainError(_("A posting needs a memo code of at most 64 characters."))
    if len(lines) < 2:
        raise DomainError(_("A posting needs at least two lines."))
    amounts: dict[int, Decimal] = {}
    for account, amount in lines:
        if getattr(account, "pk", None) is None:
            raise DomainError(_("One of the ledger accounts does not exist."), code="not_found")
        if isinstance(amount, bool) or not isinstance(amount, (Decimal, int)):
            raise DomainError(_("Amounts must be decimal numbers."))
        amount = Decimal(amount)
        if not amount.is_finite() or amount != amount.quantize(CENT):
            raise DomainError(_("Amounts have at most two decimal places."))
        if amount == 0:
            raise DomainError(_("A line cannot be zero."))
        if abs(amount) >= LIMIT:
            raise DomainError(_("The amount is too large."))
        if account.pk in amounts:
            raise DomainError(_("Each account may appear only once in a posting."))
        amounts[account.pk] = amount.quantize(CENT)
    if sum(amounts.values()) != 0:
        raise DomainError(_("The lines of a posting must sum to zero."))
    return amounts


def _replayed(existing: LedgerTransaction, amounts: dict[int, Decimal], reverses) -> LedgerTransaction:
    written = dict(existing.entries.values_list("account_id", "amount"))
    same_reversal = existing.reverses_id == (reverses.pk if reverses else None)
    if written != amounts or not same_reversal:
        raise DomainError(_("This key was already used for a different posting."), code="conflict")
    return existing


def _insert_transaction(txn: LedgerTransaction) -> int | None:
    """The new transaction's id, or None when the key is already taken — without an error, which
    would abort the caller's whole database transaction, and without a savepoint."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO core_ledgertransaction (idempotency_key, kind, memo_code, memo_params, actor_id, at, "
            "reverses_id, reason) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (idempotency_key) DO NOTHING RETURNING id",
            [txn.idempotency_key, txn.kind, txn.memo_code, _json(txn.memo_params), txn.actor_id,
             connection.ops.adapt_datetimefield_value(txn.at), txn.reverses_id, txn.reason],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


# --- selectors -----------------------------------------------------------------------------------


def balance(account: LedgerAccount) -> Decimal:
    """The account's balance as committed (or as this transaction sees it), read afresh."""
    return LedgerAccount.objects.values_list("balance", flat=True).get(pk=account.pk)


def entries_for(account: LedgerAccount):
    """The account's statement, newest first, with each line's transaction."""
    return LedgerEntry.objects.filter(account=account).select_related("transaction").order_by("-id")


def verify(account: LedgerAccount) -> bool:
    """Whether the account's balance equals the sum of its entries and its latest entry's balance."""
    row = LedgerAccount.objects.values_list("balance", flat=True).get(pk=account.pk)
    total = _cents(LedgerEntry.objects.filter(account=account).aggregate(s=Sum("amount"))["s"])
    latest = LedgerEntry.objects.filter(account=account).order_by("-id").values_list("balance_after", flat=True)[:1]
    latest = latest[0] if latest else Decimal(0)
    return row == total == latest


def verify_all() -> bool:
    """Whether every account's balance equals the sum of its entries, and every transaction's
    lines sum to zero — one grouped query each."""
    sums = dict(LedgerEntry.objects.values("account_id").annotate(s=Sum("amount")).values_list("account_id", "s"))
    for pk, bal in LedgerAccount.objects.values_list("pk", "balance").iterator(chunk_size=5000):
        if bal != _cents(sums.get(pk)):
            return False
    unbalanced = (LedgerEntry.objects.values("transaction_id").annotate(s=Round(Sum("amount"), 2))
                  .exclude(s=0).exists())
    return not unbalanced


def _cents(total) -> Decimal:
    """A sum of amounts, exact: SQLite adds decimals as floats (0.01 + 0.02 - 0.03 is not 0 there),
    so its sums are rounded back to the cent, here and in `verify_all`'s query."""
    return Decimal(total or 0).quantize(CENT)
