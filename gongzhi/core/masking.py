"""Masking of residents' personal data for roles that do not need to see it in full."""

import re


def mask_phone(phone: str) -> str:
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "****" + phone[-4:]


def mask_id_number(value: str) -> str:
    if len(value) < 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


# A mainland mobile number, and an 18-character resident ID number, standing alone in free text
# (not inside a longer run of digits such as a tracking number).
_MOBILE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")
_ID_NUMBER = re.compile(r"(?<![0-9Xx])[0-9]{17}[0-9Xx](?![0-9Xx])")


def mask_numbers_in_text(text: str) -> str:
    """Free text (a description, a note) with every phone or ID number typed into it masked."""
    if not text:
        return text
    text = _ID_NUMBER.sub(lambda m: mask_id_number(m.group()), text)
    return _MOBILE.sub(lambda m: mask_phone(m.group()), text)
