"""Pluggable SMS sending. A deployment names its gateway's backend in settings
(`GONGZHI_SMS_BACKEND = "dotted.path.Class"`); without one, messages are only logged, with the
number masked, so a development machine never texts anyone."""

import logging
from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

from gongzhi.core.masking import mask_phone

DEFAULT_BACKEND = "gongzhi.notifications.sms.ConsoleSmsBackend"
logger = logging.getLogger("gongzhi.sms")


class SmsBackend:
    """The interface: send one text to one mainland mobile number, raising on failure."""

    def send_sms(self, phone: str, text: str) -> None:
        raise NotImplementedError


class ConsoleSmsBackend(SmsBackend):
    def send_sms(self, phone: str, text: str) -> None:
        logger.info("SMS to %s: %s", mask_phone(phone), text)


class MemorySmsBackend(SmsBackend):
    """Keeps what it was asked to send (tests)."""

    outbox: list[tuple[str, str]] = []

    def send_sms(self, phone: str, text: str) -> None:
        MemorySmsBackend.outbox.append((phone, text))


@cache
def _backend(path: str) -> SmsBackend:
    return import_string(path)()


def get_sms_backend() -> SmsBackend:
    return _backend(getattr(settings, "GONGZHI_SMS_BACKEND", DEFAULT_BACKEND))


def send_sms(phone: str, text: str) -> None:
    get_sms_backend().send_sms(phone, text)
