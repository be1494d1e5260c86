"""Handlers of volunteering's announcements (gongzhi.core.seams.hooks): certified hours are
banked, voided hours reversed — inside the certifier's transaction."""

from .services import deposits


def deposit_key(hours) -> str:
    return f"lovebank.deposit.{hours.pk}"


def on_hours_certified(*, hours, **_payload):
    return deposits.deposit(actor=getattr(hours, "certified_by", None), user=hours.person, hours=hours.hours,
                            served_on=hours.served_on, community=hours.community, source=hours.source,
                            source_id=hours.source_id, by_group=hours.by_group, key=deposit_key(hours),
                            hours_ref=hours.pk)


def on_hours_voided(*, hours, reason="", **_payload):
    return deposits.reverse_deposit(actor=None, key=deposit_key(hours),
                                    reason=reason or "voided")
