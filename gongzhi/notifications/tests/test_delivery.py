"""Notifications: in-app rows at once; e-mail and SMS through the outbox, only after commit."""

import logging

import pytest
from django.core import mail
from django.db import transaction

from gongzhi.notifications.choices import MessageStatus
from gongzhi.notifications.delivery import MAX_ATTEMPTS, deliver, retry_due
from gongzhi.notifications.models import Message, Notification
from gongzhi.notifications.services import mark_read, notify
from gongzhi.notifications.sms import MemorySmsBackend

pytestmark = pytest.mark.django_db


@pytest.fixture
def sms(settings):
    settings.GONGZHI_SMS_BACKEND = "gongzhi.notifications.sms.MemorySmsBackend"
    MemorySmsBackend.outbox = []
    return MemorySmsBackend.outbox


@pytest.fixture
def alice(django_user_model):
    return django_user_model.objects.create_user("alice", email="alice@example.org", phone="13812345678")


def test_nothing_leaves_before_commit(alice, sms, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(users=[alice], verb="case.registered", title="案件已立案", body="请关注", sms=True)
    assert Notification.objects.filter(recipient=alice).count() == 1
    assert Message.objects.filter(status=MessageStatus.PENDING).count() == 2
    assert mail.outbox == [] and sms == []
    for callback in callbacks:
        callback()
    assert [m.to for m in mail.outbox] == [["alice@example.org"]]
    assert sms == [("13812345678", "案件已立案 请关注")]
    assert set(Message.objects.values_list("status", flat=True)) == {MessageStatus.SENT}


def test_a_rolled_back_change_sends_nothing(alice, sms, django_capture_on_commit_callbacks):
    def change_that_fails():
        with transaction.atomic():
            notify(users=[alice], verb="x", title="t", sms=True)
            raise RuntimeError

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        change_that_fails()
    assert not Notification.objects.exists() and not Message.objects.exists() and sms == []


def test_phones_without_accounts_get_sms(sms, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify(phones=["13900001111"], verb="case.registered", title="已立案")
    assert sms == [("13900001111", "已立案")]


def test_failures_are_retried_and_then_given_up(alice, settings, monkeypatch):
    msg = Message.objects.create(channel="email", address=alice.email, subject="s", text="t")
    monkeypatch.setattr("gongzhi.notifications.delivery.send_mail",
                        lambda *a, **k: (_ for _ in ()).throw(OSError("smtp down")))
    assert deliver([msg.pk]) == 0
    msg.refresh_from_db()
    assert msg.status == MessageStatus.FAILED and msg.attempts == 1 and "smtp down" in msg.last_error
    for _ in range(MAX_ATTEMPTS):
        retry_due()
    msg.refresh_from_db()
    assert msg.attempts == MAX_ATTEMPTS
    monkeypatch.undo()
    assert retry_due() == 0  # given up: kept for an operator to see


def test_the_console_backend_logs_a_masked_number(caplog, settings):
    settings.GONGZHI_SMS_BACKEND = "gongzhi.notifications.sms.ConsoleSmsBackend"
    from gongzhi.notifications.sms import send_sms

    with caplog.at_level(logging.INFO, logger="gongzhi.sms"):
        send_sms("13812345678", "你好")
    assert "138****5678" in caplog.text and "13812345678" not in caplog.text


def test_mark_read_touches_only_my_own(alice, django_user_model):
    bob = django_user_model.objects.create_user("bob")
    mine = notify(users=[alice], verb="v", title="t", email=False)[0]
    theirs = notify(users=[bob], verb="v", title="t", email=False)[0]
    assert mark_read(actor=alice, ids=[mine.pk, theirs.pk]) == 1
    theirs.refresh_from_db()
    assert theirs.read_at is None
