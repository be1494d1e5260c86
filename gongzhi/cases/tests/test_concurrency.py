"""Two officers acting on one case at the same moment: the row lock lets one win; the other is
refused with nothing changed. Needs real concurrent transactions, so PostgreSQL only (SQLite
serialises writers at BEGIN, which the version tests in test_workflow.py cover)."""

import threading

import pytest
from django.db import connection, connections

from gongzhi.cases.choices import CaseState
from gongzhi.cases.models import CaseEvent
from gongzhi.cases.services import workflow
from gongzhi.core.errors import DomainError

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent transactions"),
]


def race(fn, n=2):
    barrier = threading.Barrier(n)
    results = []

    def run():
        try:
            barrier.wait()
            results.append(("ok", fn()))
        except DomainError as exc:
            results.append(("refused", exc.code))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


@pytest.mark.parametrize("with_version", [False, True])
def test_two_accepts_at_once_one_wins(flow, with_version):
    case = flow.dispatched()
    version = case.version if with_version else None
    staff = flow.users["department_staff"]
    results = race(lambda: workflow.accept_case(actor=staff, case=case, expected_version=version).state)
    assert sorted(r[0] for r in results) == ["ok", "refused"]
    assert [r[1] for r in results if r[0] == "refused"] == ["stale" if with_version else "illegal_transition"]
    seen = case.version
    case.refresh_from_db()
    assert case.state == CaseState.ACCEPTED and case.version == seen + 1
    assert CaseEvent.objects.filter(case=case, kind="accepted").count() == 1


def test_dispatch_and_reject_race(flow):
    case = flow.report()
    desk = flow.users["community_secretary"]
    seen = case.version

    turns = iter(["register", "reject"])  # one each; which thread gets which does not matter

    def act():
        if next(turns) == "register":
            return workflow.register_case(actor=desk, case=case, expected_version=seen).state
        return workflow.reject_case(actor=desk, case=case, reason="无效", expected_version=seen).state

    results = race(act)
    assert sorted(r[0] for r in results) == ["ok", "refused"]
    case.refresh_from_db()
    assert case.state in (CaseState.REGISTERED, CaseState.REJECTED) and case.version == seen + 1
